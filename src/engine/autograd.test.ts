import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, noGrad } from './autograd.js';
import { parameter, tensor } from './creation.js';
import { keep, tidy } from './memory.js';
import { add, mul } from './ops/arithmetic.js';
import { sum } from './ops/reduction.js';
import { useTestBackend } from './testing/gradient-check.js';

useTestBackend();

test('a tensor used twice gets the sum of both gradients', () => {
  const x = parameter([1, 2, 3], [3]);
  // L = Σ x·x + 3x  →  dL/dx = 2x + 3
  backward(sum(add(mul(x, x), mul(x, 3))));
  assert.deepEqual([...x.grad!.data()], [5, 7, 9]);
});

test('backward accumulates across calls until the gradient is cleared', () => {
  const w = parameter([2], [1]);
  backward(sum(mul(w, 3)));
  backward(sum(mul(w, 4)));
  assert.deepEqual([...w.grad!.data()], [7]);
});

test('noGrad records nothing', () => {
  const w = parameter([2], [1]);
  const y = noGrad(() => mul(w, 3));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.throws(() => backward(sum(y)), /does not depend/);
});

test('tidy frees inner tensors but keeps results, kept tensors, parameters and grads', () => {
  const w = parameter([1, 2], [2]);
  let inner: ReturnType<typeof tensor> | null = null;
  let kept: ReturnType<typeof tensor> | null = null;
  const out = tidy(() => {
    inner = mul(w, 2);
    kept = keep(tensor([5], [1]));
    const loss = sum(mul(inner, inner));
    backward(loss);
    return { loss };
  });
  assert.equal(inner!.isDisposed, true);
  assert.equal(kept!.isDisposed, false);
  assert.equal(out.loss.isDisposed, false);
  assert.equal(w.isDisposed, false);
  // d/dw Σ (2w)² = 8w
  assert.deepEqual([...w.grad!.data()], [8, 16]);
  assert.throws(() => inner!.data(), /after dispose/);
});

test('tidy disposes inner tensors even when the function throws', () => {
  let inner: ReturnType<typeof tensor> | null = null;
  assert.throws(() =>
    tidy(() => {
      inner = tensor([1], [1]);
      throw new Error('boom');
    }),
  );
  assert.equal(inner!.isDisposed, true);
});

test('a gradient of the wrong shape from a backward function is reported', () => {
  const x = parameter([1, 2], [2]);
  const y = mul(x, 1);
  y.gradFn = { name: 'broken', inputs: [x], backward: () => [tensor([1], [1])] };
  assert.throws(() => backward(sum(y)), /broken backward gave shape/);
});
