import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricStat, summarizeEvaluations } from './summary.js';

test('metricStat: mean and population sd of finite values; NaN dropped, infinities counted', () => {
  const s = metricStat([1, 3, Number.NaN, Number.POSITIVE_INFINITY]);
  assert.deepEqual(s, { mean: 2, sd: 1, count: 2, infinite: 1 });
  const none = metricStat([Number.NaN]);
  assert.ok(Number.isNaN(none.mean));
  assert.equal(none.count, 0);
});

test('summarizeEvaluations groups organs by label across cases', () => {
  const organ = (label: number, dice: number, hd95: number) => ({
    label,
    name: `organ ${label}`,
    dice,
    hd95,
    nsd: dice,
    predVoxels: 1,
    gtVoxels: 1,
  });
  const summary = summarizeEvaluations([
    { case: 'a', organs: [organ(1, 0.5, 2), organ(2, 1, Number.NaN)] },
    { case: 'b', organs: [organ(1, 0.7, Number.POSITIVE_INFINITY)] },
  ]);
  assert.deepEqual(
    summary.map((s) => [s.name, s.dice.count]),
    [
      ['organ 1', 2],
      ['organ 2', 1],
    ],
  );
  // (0.5 + 0.7) / 2 within float64 rounding of the sum.
  assert.ok(Math.abs(summary[0]!.dice.mean - 0.6) < 1e-12);
  assert.deepEqual(summary[0]!.hd95, { mean: 2, sd: 0, count: 1, infinite: 1 });
  assert.equal(summary[1]!.hd95.count, 0);
});
