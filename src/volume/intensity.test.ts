import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ctWindow, ctZScore, percentileClip, percentiles, zScoreNormalize } from './intensity.js';

/** numpy.percentile's default (linear) method on a sorted copy: the slow, obvious reference. */
function referencePercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (position - lower) * (sorted[upper]! - sorted[lower]!);
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('intensity', () => {
  test('ctWindow clips and scales to [0, 1]', () => {
    const out = ctWindow(new Float32Array([-1024, -175, 37.5, 250, 3000]), -175, 250);
    assert.deepEqual(Array.from(out), [0, 0, 0.5, 1, 1]);
    assert.throws(() => ctWindow(new Int16Array(1), 10, 10), RangeError);
  });

  test('zScoreNormalize: mean 0, std 1 over the selected voxels, others 0', () => {
    const data = new Float32Array([0, 0, 2, 4, 6, 8]);
    const all = zScoreNormalize(data);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    // float32 results of a 6-value computation: 1e-6.
    assert.ok(Math.abs(mean) < 1e-6 && Math.abs(std - 1) < 1e-6);
    const nonzero = zScoreNormalize(data, { nonzero: true });
    assert.equal(nonzero[0], 0);
    // Non-zero values 2,4,6,8: mean 5, std √5.
    assert.ok(Math.abs(nonzero[2]! - -3 / Math.sqrt(5)) < 1e-6);
    const masked = zScoreNormalize(data, { mask: new Uint8Array([0, 0, 0, 1, 1, 0]) });
    assert.deepEqual(Array.from(masked), [0, 0, 0, -1, 1, 0]);
  });

  test('percentiles equal numpy-style linear interpolation on random data', () => {
    const random = seeded(7);
    for (const n of [1, 2, 17, 1000, 4097]) {
      const values = Array.from({ length: n }, () => Math.round(random() * 500 - 100));
      const data = Float32Array.from(values);
      const qs = [0, 0.5, 10, 50, 73.3, 99.5, 100];
      const got = percentiles(data, qs);
      // Integer data: interpolated results are exact up to float64 rounding.
      qs.forEach((q, i) => {
        assert.ok(Math.abs(got[i]! - referencePercentile(values, q)) < 1e-9, `n=${n} q=${q}`);
      });
    }
  });

  test('percentileClip clips to the percentiles and optionally scales', () => {
    const data = Float32Array.from({ length: 101 }, (_, i) => i);
    const { data: out, low, high } = percentileClip(data, 5, 95, { scale: true });
    assert.equal(low, 5);
    assert.equal(high, 95);
    assert.equal(out[0], 0);
    assert.equal(out[50], 0.5);
    assert.equal(out[100], 1);
  });
});

test('ctZScore clips to the foreground percentiles, then z-scores with the foreground mean and sd', () => {
  const out = ctZScore(Float32Array.from([-1000, 0, 100, 2000]), { low: -50, high: 300, mean: 100, sd: 50 });
  assert.deepEqual([...out], [-3, -2, 0, 4]);
});
