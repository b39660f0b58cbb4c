import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepLargestComponents, labelComponents } from './connected-components.js';

/** A 5×5×3 label map built from (x, y, z, value) voxels. */
function labelMap(voxels: [number, number, number, number][]): Uint8Array {
  const out = new Uint8Array(5 * 5 * 3);
  for (const [x, y, z, v] of voxels) out[(z * 5 + y) * 5 + x] = v;
  return out;
}
const dims: [number, number, number] = [5, 5, 3];

test('diagonal neighbours connect with 26-connectivity but not with 6', () => {
  const map = labelMap([
    [0, 0, 0, 1],
    [1, 1, 1, 1], // corner-adjacent to the first voxel
    [4, 4, 2, 1],
  ]);
  assert.equal(labelComponents(map, dims, 26).sizes.length, 2);
  assert.equal(labelComponents(map, dims, 6).sizes.length, 3);
});

test('different label values never merge', () => {
  const map = labelMap([
    [0, 0, 0, 1],
    [1, 0, 0, 2],
  ]);
  const { sizes, values } = labelComponents(map, dims);
  assert.deepEqual(sizes, [1, 1]);
  assert.deepEqual(values, [1, 2]);
});

test('keepLargestComponents keeps the largest island of each organ and nothing else', () => {
  const map = labelMap([
    // organ 1: a 3-voxel bar and a 1-voxel island
    [0, 0, 0, 1],
    [1, 0, 0, 1],
    [2, 0, 0, 1],
    [4, 4, 2, 1],
    // organ 2: two islands of 2 and 1
    [0, 4, 0, 2],
    [0, 4, 1, 2],
    [4, 0, 2, 2],
  ]);
  const kept = keepLargestComponents(map, dims);
  const at = (x: number, y: number, z: number) => kept[(z * 5 + y) * 5 + x];
  assert.equal(at(0, 0, 0), 1);
  assert.equal(at(2, 0, 0), 1);
  assert.equal(at(4, 4, 2), 0);
  assert.equal(at(0, 4, 0), 2);
  assert.equal(at(0, 4, 1), 2);
  assert.equal(at(4, 0, 2), 0);
  assert.equal(
    kept.reduce((n, v) => n + (v ? 1 : 0), 0),
    5,
  );
  assert.equal(map[(2 * 5 + 4) * 5 + 4], 1, 'the input is not modified');
});
