import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, pairedDifference, sampleSd, tQuantile975 } from './paired-statistics.js';

test('the paired 95 % interval is the t-interval of the per-seed differences', () => {
  // Differences 0.1, 0.15, 0.05: mean 0.1, sd 0.05, t(2) = 4.303 → half-width 4.303·0.05/√3.
  const d = pairedDifference([0.6, 0.7, 0.65], [0.5, 0.55, 0.6]);
  assert.ok(Math.abs(d.mean - 0.1) < 1e-12);
  const half = (4.303 * 0.05) / Math.sqrt(3);
  assert.ok(
    Math.abs(d.ci95[0] - (0.1 - half)) < 1e-9 && Math.abs(d.ci95[1] - (0.1 + half)) < 1e-9,
    `${d.ci95}`,
  );
  // Pairing matters: the same values unpaired-shuffled give another interval.
  const shuffled = pairedDifference([0.6, 0.7, 0.65], [0.6, 0.5, 0.55]);
  assert.notDeepEqual(shuffled.ci95, d.ci95);
  assert.equal(pairedDifference([1], [0]).ci95.every(Number.isNaN), true);
});

test('mean, sample sd and t quantiles', () => {
  assert.equal(mean([1, 2, 3]), 2);
  assert.ok(Math.abs(sampleSd([1, 2, 3]) - 1) < 1e-12);
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(4), 2.776);
  assert.ok(Math.abs(tQuantile975(1000) - 1.96) < 0.01);
});
