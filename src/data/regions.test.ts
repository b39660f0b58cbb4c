import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BRATS_REGIONS } from './brats.js';
import { regionPaintOrder, regionsToLabelMap, regionTargets } from './regions.js';

const brats = Object.values(BRATS_REGIONS); // ET {4}, TC {1, 4}, WT {1, 2, 4}

test('BraTS labels become overlapping ET/TC/WT targets', () => {
  const labels = Uint8Array.from([0, 1, 2, 4]);
  assert.deepEqual(
    [...regionTargets(labels, 1, brats)],
    [0, 0, 0, 1, /* TC */ 0, 1, 0, 1, /* WT */ 0, 1, 1, 1],
  );
  // Two maps in a batch: region channels per map.
  assert.deepEqual([...regionTargets(Uint8Array.from([4, 0]), 2, brats.slice(0, 1))], [1, 0]);
});

test('regions paint back into a BraTS label map, inner regions last (WT → 2, TC → 1, ET → 4)', () => {
  assert.deepEqual(regionPaintOrder(brats), [
    { region: 2, value: 2 },
    { region: 1, value: 1 },
    { region: 0, value: 4 },
  ]);
  const labels = Uint8Array.from([0, 1, 2, 4, 2, 0]);
  assert.deepEqual([...regionsToLabelMap(regionTargets(labels, 1, brats), brats)], [...labels]);
});
