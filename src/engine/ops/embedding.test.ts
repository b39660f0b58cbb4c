import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import { Rng } from '../random.js';
import { gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { argmax } from './argmax.js';
import { scaledDotProductAttention } from './attention.js';
import { dropout } from './dropout.js';
import { embedding } from './embedding.js';

useTestBackend();

test('embedding gathers rows and scatters gradients (repeated ids accumulate)', () => {
  const table = tensor([0, 1, 10, 11, 20, 21], [3, 2]);
  const y = embedding(table, Int32Array.from([2, 0, 2, 1]), [2, 2]);
  assert.deepEqual(y.shape, [2, 2, 2]);
  assert.deepEqual([...y.data()], [20, 21, 0, 1, 20, 21, 10, 11]);
  const ids = Int32Array.from([1, 1, 3, 0]);
  const r = gradientCheck((t) => embedding(t!, ids, [4]), [{ shape: [4, 3], values: randomValues(12, 1) }]);
  assert.ok(r.maxError < 1e-2, r.where);
  assert.throws(() => embedding(table, Int32Array.from([3])), /outside/);
});

test('dropout is inverted, seeded and the identity in evaluation', () => {
  const x = tensor(new Float32Array(10000).fill(1), [100, 100]);
  const a = dropout(x, 0.3, true, new Rng(5)).data();
  const b = dropout(x, 0.3, true, new Rng(5)).data();
  assert.deepEqual([...a], [...b]);
  const kept = a.filter((v) => v !== 0);
  // 10000 Bernoulli(0.7) draws: the kept fraction is within 0.03 of 0.7 (over 6 standard deviations).
  assert.ok(Math.abs(kept.length / 10000 - 0.7) < 0.03);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6));
  assert.equal(dropout(x, 0.3, false), x);
});

test('scaled dot-product attention: values, mask and gradients', () => {
  // One query equally similar to two keys: the output is the mean of their values.
  const q = tensor([1, 0], [1, 1, 2]);
  const k = tensor([1, 0, 1, 0], [1, 2, 2]);
  const v = tensor([2, 4, 6, 8], [1, 2, 2]);
  assert.deepEqual([...scaledDotProductAttention(q, k, v).data()], [4, 6]);
  const mask = tensor([0, -1e9], [1, 1, 2]);
  assert.deepEqual([...scaledDotProductAttention(q, k, v, { mask }).data()], [2, 4]);
  const r = gradientCheck(
    (a, b, c) => scaledDotProductAttention(a!, b!, c!),
    [
      { shape: [2, 3, 4], values: randomValues(24, 1) },
      { shape: [2, 5, 4], values: randomValues(40, 2) },
      { shape: [2, 5, 3], values: randomValues(30, 3) },
    ],
  );
  assert.ok(r.maxError < 1e-2, r.where);
});

test('argmax picks the first maximum along an axis', () => {
  const x = tensor([1, 5, 5, 0, 2, 7, 3, 1], [2, 4]);
  assert.deepEqual([...argmax(x, 1)], [1, 1]);
  assert.deepEqual([...argmax(x, 0)], [1, 1, 0, 1]);
});
