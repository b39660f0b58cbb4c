import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randn, uniform } from './creation.js';
import { Rng, seed } from './random.js';
import { useTestBackend } from './testing/gradient-check.js';

useTestBackend();

test('seeding repeats randn and uniform exactly', () => {
  seed(42);
  const a = randn([100]).toFloat32Array();
  const u = uniform([50], -1, 1).toFloat32Array();
  seed(42);
  assert.deepEqual(randn([100]).toFloat32Array(), a);
  assert.deepEqual(uniform([50], -1, 1).toFloat32Array(), u);
  seed(43);
  assert.notDeepEqual(randn([100]).toFloat32Array(), a);
});

test('normal and uniform samples have the right moments', () => {
  const rng = new Rng(1);
  const n = 100_000;
  let s = 0;
  let s2 = 0;
  let u = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    s += x;
    s2 += x * x;
    u += rng.next();
  }
  // Standard errors at n = 1e5: mean 0.003, variance 0.0045, uniform mean 0.0009; bounds are ~5 of them.
  assert.ok(Math.abs(s / n) < 0.015, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.025, `variance ${s2 / n}`);
  assert.ok(Math.abs(u / n - 0.5) < 0.005, `uniform mean ${u / n}`);
});

test('generator state can be saved and restored', () => {
  const rng = new Rng(7);
  rng.next();
  const state = rng.getState();
  const expected = [rng.next(), rng.next()];
  rng.setState(state);
  assert.deepEqual([rng.next(), rng.next()], expected);
});
