import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Volume } from '../volume/volume.js';
import { structureSize } from './measure.js';

/** A 10×8×6 label map with label 1 in the box x 2..5, y 1..2, z 0..4 (inclusive). */
function boxMap(affine: number[][]): Volume {
  const [nx, ny, nz] = [10, 8, 6];
  const data = new Uint8Array(nx * ny * nz);
  for (let z = 0; z <= 4; z++)
    for (let y = 1; y <= 2; y++) for (let x = 2; x <= 5; x++) data[x + nx * (y + ny * z)] = 1;
  return { data, dims: [nx, ny, nz], spacing: [1, 1, 1], affine, datatype: 'uint8' };
}

// Exact arithmetic on small integers and halves: compared to 1e-9 mm for floating-point noise only.
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('extents in RAS mm follow the affine: spacing, flips and axis permutations', () => {
  // LPS-like storage: i → -x (0.5 mm), j → -y (2 mm), k → +z (3 mm).
  const lps = structureSize(
    boxMap([
      [-0.5, 0, 0, 50],
      [0, -2, 0, 10],
      [0, 0, 3, -7],
      [0, 0, 0, 1],
    ]),
    [1],
  )!;
  close(lps.extentMm[0], 4 * 0.5);
  close(lps.extentMm[1], 2 * 2);
  close(lps.extentMm[2], 5 * 3);
  close(lps.lengthMm, 15);
  close(lps.volumeMl, (4 * 2 * 5 * 0.5 * 2 * 3) / 1000);
  assert.equal(lps.voxels, 40);
  // Permuted: i runs superior-inferior, so the craniocaudal extent comes from the 4 voxels in x.
  const permuted = structureSize(
    boxMap([
      [0, 0, 1, 0],
      [0, 1, 0, 0],
      [4, 0, 0, 0],
      [0, 0, 0, 1],
    ]),
    [1],
  )!;
  close(permuted.extentMm[2], 4 * 4);
  close(permuted.extentMm[0], 5);
  assert.equal(
    structureSize(
      boxMap([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ]),
      [2],
    ),
    undefined,
  );
});
