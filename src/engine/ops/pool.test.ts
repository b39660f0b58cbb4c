import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import { gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { avgPool2d, avgPool3d, maxPool2d, maxPool3d } from './pool.js';

useTestBackend();

/** Distinct values 0.1 apart in random order, so no max-pool window has a near tie. */
function distinct(n: number, seed: number): Float32Array {
  const r = randomValues(n, seed);
  const order = [...r.keys()].sort((a, b) => r[a]! - r[b]!);
  const out = new Float32Array(n);
  order.forEach((index, rank) => {
    out[index] = rank * 0.1 - n * 0.05;
  });
  return out;
}

test('max and average pooling values on a small image', () => {
  const x = tensor(
    Array.from({ length: 16 }, (_, i) => i),
    [1, 1, 4, 4],
  );
  assert.deepEqual([...maxPool2d(x, 2).data()], [5, 7, 13, 15]);
  assert.deepEqual([...avgPool2d(x, 2).data()], [2.5, 4.5, 10.5, 12.5]);
  // 3x3 windows, stride 2, padding 1: padding never wins a max, and counts in the average divisor.
  assert.deepEqual([...maxPool2d(x, 3, { stride: 2, padding: 1 }).data()], [5, 7, 13, 15]);
  assert.deepEqual(
    [...avgPool2d(x, 3, { stride: 2, padding: 1 }).data()],
    [10 / 9, 24 / 9, 51 / 9, 90 / 9].map(Math.fround),
  );
  assert.deepEqual(
    maxPool3d(tensor(new Float32Array(2 * 3 * 5 * 4 * 6), [2, 3, 5, 4, 6]), 2).shape,
    [2, 3, 2, 2, 3],
  );
});

test('pooling gradients match finite differences', () => {
  const x2 = { shape: [2, 2, 5, 6], values: distinct(120, 1) };
  const x3 = { shape: [1, 2, 4, 5, 3], values: distinct(120, 2) };
  const cases: [string, (t: never) => ReturnType<typeof maxPool2d>, typeof x2][] = [
    ['max2d', (t) => maxPool2d(t, 2), x2],
    ['max2d s1 p1', (t) => maxPool2d(t, 3, { stride: 1, padding: 1 }), x2],
    ['avg2d', (t) => avgPool2d(t, [2, 3], { stride: [1, 2] }), x2],
    ['avg2d p1', (t) => avgPool2d(t, 3, { stride: 2, padding: 1 }), x2],
    ['max3d', (t) => maxPool3d(t, 2), x3],
    ['avg3d', (t) => avgPool3d(t, [2, 2, 1]), x3],
  ];
  for (const [name, f, input] of cases) {
    const r = gradientCheck((t) => f(t as never), [input]);
    // Values 0.1 apart and eps 1e-2: no window changes its maximum; tolerance 1e-2.
    assert.ok(r.maxError < 1e-2, `${name}: ${r.where}`);
  }
});
