import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cropToBox, foregroundBox, padToSize, uncropFromBox } from './crop.js';
import type { Volume } from './volume.js';

function volume(): Volume {
  const dims = [8, 7, 6];
  const data = new Int16Array(8 * 7 * 6);
  // Foreground: x 2..4, y 1..5, z 3..3.
  for (let x = 2; x <= 4; x++) for (let y = 1; y <= 5; y++) data[x + 8 * (y + 7 * 3)] = 10 + x + y;
  return {
    data,
    dims,
    spacing: [1, 2, 3],
    affine: [
      [1, 0, 0, -4],
      [0, 0, 3, 5],
      [0, -2, 0, 9],
      [0, 0, 0, 1],
    ],
    datatype: 'int16',
  };
}

function world(v: Volume, i: number, j: number, k: number): number[] {
  return [0, 1, 2].map(
    (r) => v.affine[r]![0]! * i + v.affine[r]![1]! * j + v.affine[r]![2]! * k + v.affine[r]![3]!,
  );
}

describe('crop and pad', () => {
  test('foregroundBox is the tight box, grown by the margin and clipped', () => {
    const v = volume();
    assert.deepEqual(foregroundBox(v), { start: [2, 1, 3], end: [5, 6, 4] });
    assert.deepEqual(foregroundBox(v, 0, 2), { start: [0, 0, 1], end: [7, 7, 6] });
    assert.equal(foregroundBox({ ...v, data: new Int16Array(v.data.length) }), null);
  });

  test('cropToBox keeps voxels at their world positions, and uncrop restores the volume', () => {
    const v = volume();
    const box = foregroundBox(v)!;
    const crop = cropToBox(v, box);
    assert.deepEqual(crop.dims, [3, 5, 1]);
    assert.deepEqual(world(crop, 0, 0, 0), world(v, 2, 1, 3));
    assert.equal(crop.data[0], 13);
    assert.equal(crop.data[2 + 3 * 4], 10 + 4 + 5);
    const full = uncropFromBox(crop, box, v);
    assert.deepEqual(Array.from(full.data), Array.from(v.data));
    assert.deepEqual(full.affine, v.affine);
  });

  test('padToSize pads centred with the fill value and leaves large axes alone', () => {
    const v = volume();
    const { volume: padded, box } = padToSize(v, [11, 7, 4], -1);
    assert.deepEqual(padded.dims, [11, 7, 6]);
    assert.deepEqual(box, { start: [-1, 0, 0], end: [10, 7, 6] });
    assert.equal(padded.data[0], -1);
    assert.deepEqual(world(padded, 1, 0, 0), world(v, 0, 0, 0));
    assert.equal(padded.data[1 + 2 + 11 * (1 + 7 * 3)], 13);
  });
});
