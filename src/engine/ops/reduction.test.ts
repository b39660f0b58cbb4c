import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward } from '../autograd.js';
import { parameter, tensor } from '../creation.js';
import { assertClose, gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { broadcastTo, max, mean, sum } from './reduction.js';
import { logSoftmax, softmax } from './softmax.js';

useTestBackend();

test('sum, mean and max over axes with and without keepDims', () => {
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
  assert.deepEqual([...sum(x).data()], [78]);
  assert.deepEqual(sum(x).shape, []);
  assert.deepEqual([...sum(x, 1).data()], [9, 12, 27, 30]);
  assert.deepEqual(sum(x, [0, 2], true).shape, [1, 3, 1]);
  assert.deepEqual([...sum(x, [0, 2], true).data()], [18, 26, 34]);
  assert.deepEqual([...mean(x, -1).data()], [1.5, 3.5, 5.5, 7.5, 9.5, 11.5]);
  assert.deepEqual([...max(x, 1).data()], [5, 6, 11, 12]);
  assert.deepEqual([...max(x, [0, 1]).data()], [11, 12]);
  assert.deepEqual(
    [...broadcastTo(tensor([1, 2], [2, 1]), [3, 2, 2]).data()],
    [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2],
  );
});

test('reduction gradients match finite differences', () => {
  const x = { shape: [3, 4, 5], values: randomValues(60, 1) };
  for (const [name, f] of [
    ['sum all', (t: never) => sum(t)],
    ['sum axes', (t: never) => sum(t, [0, 2])],
    ['sum keep', (t: never) => sum(t, 1, true)],
    ['mean', (t: never) => mean(t, [1, 2])],
    ['max', (t: never) => max(t, 2)],
    ['max keep', (t: never) => max(t, [0, 1], true)],
    ['broadcastTo', (t: never) => broadcastTo(sum(t, 1, true), [2, 3, 4, 5])],
  ] as const) {
    // float32 FD with eps 1e-2: tolerance 1e-2 (random normal values are 1e-2 apart almost surely
    // at this size; the seed is fixed).
    const r = gradientCheck((t) => f(t as never), [x]);
    assert.ok(r.maxError < 1e-2, `${name}: ${r.where}`);
  }
});

test('max shares the gradient among ties', () => {
  const x = parameter([1, 1, 0], [3]);
  backward(max(x));
  assert.deepEqual([...x.grad!.data()], [0.5, 0.5, 0]);
});

test('softmax and logSoftmax: values, stability and gradients', () => {
  const x = tensor([1, 2, 3, 1000, 1000, 1000], [2, 3]);
  const s = softmax(x).data();
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const z = e[0]! + e[1]! + e[2]!;
  assertClose(s, [e[0]! / z, e[1]! / z, e[2]! / z, 1 / 3, 1 / 3, 1 / 3], { abs: 1e-6 }, 'softmax');
  const ls = logSoftmax(x).data();
  assert.ok(Math.abs(ls[2]! - Math.log(1 / z)) < 1e-5 && Math.abs(ls[5]! - Math.log(1 / 3)) < 1e-5);
  const input = { shape: [2, 3, 4], values: randomValues(24, 2) };
  for (const axis of [0, 1, -1]) {
    for (const f of [softmax, logSoftmax]) {
      const r = gradientCheck((t) => f(t!, axis), [input]);
      assert.ok(r.maxError < 1e-2, `${f.name} axis ${axis}: ${r.where}`);
    }
  }
});
