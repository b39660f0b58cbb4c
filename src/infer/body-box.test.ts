import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyBox } from './body-box.js';

test('bodyBox is the box above each channel minimum, united over channels', () => {
  const dims: [number, number, number] = [6, 5, 4];
  const voxels = 6 * 5 * 4;
  const image = new Float32Array(2 * voxels).fill(-2);
  const at = (x: number, y: number, z: number) => (z * 5 + y) * 6 + x;
  image[at(1, 2, 1)] = 0.5;
  image[at(3, 3, 2)] = 4;
  image[voxels + at(4, 1, 1)] = -1.5; // second channel: its own minimum is −2 too
  assert.deepEqual(bodyBox(image, dims, 1), { start: [1, 2, 1], end: [4, 4, 3] });
  assert.deepEqual(bodyBox(image, dims, 2), { start: [1, 1, 1], end: [5, 4, 3] });
  assert.equal(bodyBox(new Float32Array(voxels).fill(3), dims, 1), null);
});
