import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedDifference } from './paired-statistics.js';
import { type StudySetting, studyRows } from './study.js';

test('study rows on a fake grid: mean ± sd per cell, paired differences over matching seeds', () => {
  const dice: Record<string, number[]> = {
    scratch: [0.3, 0.4, 0.35],
    'scratch+random-maps': [0.32, 0.41, 0.3],
    'mosmos+maps': [0.4, 0.5, 0.42],
  };
  const cells = Object.entries(dice).flatMap(([setting, values]) =>
    values.flatMap((d, seed) => [
      { setting: setting as StudySetting, labelledCases: 1 as const, seed, dice: d },
      { setting: setting as StudySetting, labelledCases: 'all' as const, seed, dice: d + 0.3 },
    ]),
  );
  // Seeds listed out of order must still pair by seed.
  const rows = studyRows(cells.reverse());
  assert.deepEqual(
    rows.map((r) => `${r.setting}@${r.labelledCases}`),
    [
      'scratch@1',
      'mosmos+maps@1',
      'scratch+random-maps@1',
      'scratch@all',
      'mosmos+maps@all',
      'scratch+random-maps@all',
    ],
  );
  const mosmos = rows[1]!;
  assert.deepEqual(mosmos.seeds, [0, 1, 2]);
  assert.deepEqual(mosmos.dice, [0.4, 0.5, 0.42]);
  assert.ok(Math.abs(mosmos.mean - 0.44) < 1e-12);
  const expected = pairedDifference([0.4, 0.5, 0.42], [0.3, 0.4, 0.35]);
  assert.deepEqual(mosmos.vsScratch, { mean: expected.mean, ci95: expected.ci95 });
  const vsRandom = pairedDifference([0.4, 0.5, 0.42], [0.32, 0.41, 0.3]);
  assert.deepEqual(mosmos.vsRandomMaps, { mean: vsRandom.mean, ci95: vsRandom.ci95 });
  assert.ok(mosmos.vsScratch!.ci95[0] > 0, 'a consistent gain has an interval above 0');
  assert.equal(rows[0]!.vsScratch, null);
  assert.equal(rows[2]!.vsRandomMaps, null);
});
