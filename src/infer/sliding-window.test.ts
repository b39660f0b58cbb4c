import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussianImportanceMap, slidingWindowInference, windowStarts } from './sliding-window.js';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 100 + i * 0.01);

test('windowStarts covers the axis, ends flush, and centres a window larger than the axis', () => {
  assert.deepEqual(windowStarts(10, 4, 0.5), [0, 2, 4, 6]);
  assert.deepEqual(windowStarts(11, 4, 0.5), [0, 2, 4, 6, 7]);
  assert.deepEqual(windowStarts(10, 4, 0), [0, 4, 6]);
  assert.deepEqual(windowStarts(3, 8, 0.5), [-3]);
  assert.deepEqual(windowStarts(8, 8, 0.5), [0]);
});

test('the Gaussian importance map peaks at 1 in the centre and has σ = window/8', () => {
  const w = gaussianImportanceMap([17, 9, 1]);
  assert.equal(w.length, 17 * 9);
  const at = (x: number, y: number) => w[y * 17 + x]!;
  assert.equal(at(8, 4), 1);
  // Along x, σ = 17/8 voxels: the weight at distance d from the centre is exp(−d²/2σ²) (to float32 rounding).
  const sigma = 17 / 8;
  const expected = Math.exp(-(2 ** 2) / (2 * sigma * sigma));
  assert.ok(Math.abs(at(10, 4) - expected) < 1e-6);
  assert.ok(Math.abs(at(6, 4) - at(10, 4)) < 1e-7, 'symmetric about the centre');
  assert.ok(Math.min(...w) > 0, 'every weight strictly positive');
});

test('an identity network is reconstructed exactly, whatever the overlap, weighting and padding', () => {
  const dims: [number, number, number] = [13, 9, 7];
  const image = ramp(13 * 9 * 7);
  for (const overlap of [0, 0.25, 0.5, 0.8])
    for (const weighting of ['gaussian', 'constant'] as const)
      for (const window of [
        [5, 4, 3],
        [16, 4, 1],
        [13, 9, 7],
      ] as [number, number, number][]) {
        let calls = 0;
        const out = slidingWindowInference(image, dims, {
          window,
          overlap,
          weighting,
          classes: 1,
          batchSize: 3,
          predict: (windows) => {
            calls++;
            return Float32Array.from(windows);
          },
        });
        assert.ok(calls > 0);
        let maxError = 0;
        for (let i = 0; i < image.length; i++) maxError = Math.max(maxError, Math.abs(out[i]! - image[i]!));
        // A weighted mean of identical values: exact up to float32 rounding of Σw·v / Σw (values ≤ 100).
        assert.ok(maxError < 1e-4, `overlap ${overlap} ${weighting} window ${window}: error ${maxError}`);
      }
});

test('per-class outputs land in their own channel, and constant probabilities stay constant', () => {
  const dims: [number, number, number] = [10, 6, 5];
  const image = ramp(300);
  const out = slidingWindowInference(image, dims, {
    window: [4, 4, 2],
    classes: 2,
    predict: (windows, count) => {
      const voxels = windows.length / count;
      const probs = new Float32Array(count * 2 * voxels);
      for (let b = 0; b < count; b++) {
        probs.fill(0.25, b * 2 * voxels, b * 2 * voxels + voxels);
        probs.fill(0.75, b * 2 * voxels + voxels, (b + 1) * 2 * voxels);
      }
      return probs;
    },
  });
  assert.equal(out.length, 600);
  for (let i = 0; i < 300; i++) {
    assert.ok(Math.abs(out[i]! - 0.25) < 1e-6);
    assert.ok(Math.abs(out[300 + i]! - 0.75) < 1e-6);
  }
});

test('a predictor returning the wrong size is an error', () => {
  assert.throws(
    () =>
      slidingWindowInference(ramp(64), [4, 4, 4], {
        window: [2, 2, 2],
        classes: 2,
        predict: (w) => Float32Array.from(w),
      }),
    /expected/,
  );
});

test('overlapping windows that disagree are blended by their Gaussian weights, not averaged', () => {
  // 16×1×1 voxels, windows of 8 at overlap 0.5: starts 0, 4, 8. Each window predicts one constant —
  // its start — so where windows overlap the result is the Gaussian-weighted mean of their starts.
  const dims: [number, number, number] = [16, 1, 1];
  const image = Float32Array.from({ length: 16 }, (_, x) => x);
  const out = slidingWindowInference(image, dims, {
    window: [8, 1, 1],
    overlap: 0.5,
    classes: 1,
    batchSize: 2,
    predict: (windows, count) => {
      const values = new Float32Array(count * 8);
      for (let b = 0; b < count; b++) values.fill(windows[b * 8]!, b * 8, (b + 1) * 8);
      return values;
    },
  });
  // Reference, written out: weight exp(−(i − 3.5)² / 2σ²) with σ = 8/8 = 1 at offset i in a window.
  const weight = (i: number) => Math.exp(-((i - 3.5) ** 2) / 2) / Math.exp(-(0.5 ** 2) / 2);
  for (let x = 0; x < 16; x++) {
    let sum = 0;
    let total = 0;
    for (const start of [0, 4, 8]) {
      if (x < start || x >= start + 8) continue;
      sum += weight(x - start) * start;
      total += weight(x - start);
    }
    assert.ok(Math.abs(out[x]! - sum / total) < 1e-4, `voxel ${x}: ${out[x]} vs ${sum / total}`);
  }
  // Voxel 4 is the edge of window 4 and the middle of window 0: the Gaussian trusts window 0 far more
  // (a plain average would give 2).
  assert.ok(out[4]! < 0.5, `voxel 4: ${out[4]}`);
});

test('multi-channel windows hold every channel of the same place, padded per channel', () => {
  const dims: [number, number, number] = [7, 5, 3];
  const n = 7 * 5 * 3;
  // Channel 1 = channel 0 + 100, so a window whose channels come from one place differs by 100.
  const image = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    image[i] = i;
    image[n + i] = i + 100;
  }
  const window: [number, number, number] = [4, 8, 1];
  const voxels = 4 * 8;
  const out = slidingWindowInference(image, dims, {
    window,
    channels: 2,
    classes: 1,
    overlap: 0.5,
    predict: (windows, count) => {
      assert.equal(windows.length, count * 2 * voxels);
      const diff = new Float32Array(count * voxels);
      for (let b = 0; b < count; b++)
        for (let i = 0; i < voxels; i++)
          diff[b * voxels + i] = windows[(b * 2 + 1) * voxels + i]! - windows[b * 2 * voxels + i]!;
      // Windows are taller than the volume (8 > 5): padding is each channel's own minimum (0 and 100).
      assert.ok(
        diff.every((d) => Math.abs(d - 100) < 1e-4),
        'channels of one place, padded per channel',
      );
      return diff;
    },
  });
  for (let i = 0; i < n; i++) assert.ok(Math.abs(out[i]! - 100) < 1e-4, `voxel ${i}: ${out[i]}`);
});

test('a region tiles only its box; voxels no window reaches take the uncovered values', () => {
  const dims: [number, number, number] = [20, 12, 3];
  const image = ramp(20 * 12 * 3);
  const starts: number[] = [];
  const out = slidingWindowInference(image, dims, {
    window: [4, 4, 1],
    overlap: 0.5,
    classes: 2,
    region: { start: [8, 2, 1], end: [14, 8, 2] },
    uncovered: [1, 0],
    predict: (windows, count) => {
      starts.push(count);
      const values = new Float32Array(2 * windows.length);
      for (let b = 0; b < count; b++) values.set(windows.subarray(b * 16, (b + 1) * 16), (b * 2 + 1) * 16);
      return values;
    },
  });
  // x: 6 voxels → starts 8, 10; y: 6 → 2, 4; z: 1 slice → 4 windows.
  assert.equal(
    starts.reduce((a, b) => a + b, 0),
    4,
  );
  const voxels = 20 * 12 * 3;
  const at = (x: number, y: number, z: number) => (z * 12 + y) * 20 + x;
  for (const [x, y, z] of [
    [9, 3, 1],
    [13, 7, 1],
  ] as [number, number, number][])
    assert.ok(
      Math.abs(out[voxels + at(x, y, z)]! - image[at(x, y, z)]!) < 1e-3,
      'inside: the network output',
    );
  for (const [x, y, z] of [
    [0, 0, 0],
    [9, 3, 0],
    [19, 11, 2],
    [2, 3, 1],
  ] as [number, number, number][]) {
    assert.equal(out[at(x, y, z)], 1, 'outside: background');
    assert.equal(out[voxels + at(x, y, z)], 0);
  }
});
