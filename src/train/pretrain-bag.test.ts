import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../engine/index.js';
import { bagBatch, bagInstances, bagTouches, bodyBox, coveringStarts, sliceStride } from './pretrain-bag.js';

test('covering windows reach every position of the extent, for any placement', () => {
  for (const [lo, hi, size] of [
    [0, 64, 64],
    [5, 40, 64],
    [3, 150, 64],
    [0, 129, 64],
  ] as const)
    for (const rng of [undefined, new Rng(1), new Rng(2)]) {
      const starts = coveringStarts(lo, hi, size, rng);
      for (let p = lo; p < hi; p++)
        assert.ok(
          starts.some((s) => p >= s && p < s + size),
          `${p} uncovered by ${starts}`,
        );
    }
});

test('every structure spanning at least the stride is in every bag: a small organ is never missed', () => {
  const dims = [40, 30, 24] as const;
  const data = new Float32Array(40 * 30 * 24);
  const labels = new Uint8Array(data.length);
  for (let z = 0; z < 24; z++)
    for (let y = 5; y < 25; y++) for (let x = 4; x < 36; x++) data[(z * 30 + y) * 40 + x] = 0.5;
  // A 2-slice "adrenal" at the edge of the body, and a stride of 2 slices.
  for (const z of [13, 14]) labels[(z * 30 + 6) * 40 + 34] = 1;
  const box = bodyBox(data, dims);
  assert.deepEqual(box, { lo: [4, 5, 0], hi: [36, 25, 24] });
  const settings = { patch: [16, 16], stride: sliceStride(16, 8) };
  assert.equal(settings.stride, 2);
  for (let s = 0; s < 20; s++) {
    const bag = bagInstances(box, settings, new Rng(s));
    assert.ok(
      bagTouches(bag, settings.patch, dims, (i) => labels[i] === 1),
      `bag ${s} misses the organ`,
    );
  }
  const batch = bagBatch([{ data, dims: [...dims], spacing: [1, 1, 8] }], settings, new Rng(0), false);
  assert.equal(batch.shape[0], batch.owner.length);
  assert.deepEqual(batch.shape.slice(1), [1, 16, 16]);
  assert.equal(batch.sizes[0], 12 * 2 * 2); // 12 slices × 2 × 2 in-plane tiles
});
