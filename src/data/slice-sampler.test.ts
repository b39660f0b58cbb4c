import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axialSlices, cropPatch, patchStart, resizePlane, sliceIndices } from './slice-sampler.js';

test('resizePlane keeps a constant plane constant and a same-size plane unchanged', () => {
  const c = resizePlane(new Float32Array(6 * 4).fill(2), 6, 4, 3, 5);
  assert.ok(c.every((v) => Math.abs(v - 2) < 1e-6));
  const ramp = Float32Array.from({ length: 12 }, (_, i) => i);
  assert.deepEqual(resizePlane(ramp, 4, 3, 4, 3), ramp);
  // Downsampling a linear ramp by 2 averages neighbours: x' = 2x + 0.5 → value 0.5, 2.5
  const row = resizePlane(Float32Array.from([0, 1, 2, 3]), 4, 1, 2, 1);
  assert.deepEqual(Array.from(row), [0.5, 2.5]);
});

test('slice indices cover the volume in strata', () => {
  assert.deepEqual(sliceIndices(100, 4), [12, 37, 62, 87]);
  const r = sliceIndices(100, 4, () => 0.999);
  for (const [i, z] of r.entries()) assert.ok(z >= i * 25 && z < (i + 1) * 25);
});

test('axialSlices and cropPatch pick the right voxels', () => {
  const dims = [2, 2, 3];
  const data = Float32Array.from({ length: 12 }, (_, i) => i);
  assert.deepEqual(Array.from(axialSlices(data, dims, [2, 0], 2)), [8, 9, 10, 11, 0, 1, 2, 3]);
  const p = cropPatch(data, dims, [1, 0, 2], [2, 1, 1], -1);
  assert.deepEqual(Array.from(p), [9, -1]);
  assert.deepEqual(patchStart([10, 10, 10], [4, 4, 12]), [3, 3, -1]);
});
