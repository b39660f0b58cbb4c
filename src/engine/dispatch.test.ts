import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend, Storage } from './backend.js';
import { getBackend, registerBackend, setBackend } from './backend-select.js';
import { parameter, tensor } from './creation.js';
import { registerKernel } from './kernel-registry.js';
import { add, mul } from './ops/arithmetic.js';
import { conv2d } from './ops/conv.js';
import { randomValues } from './testing/gradient-check.js';

/** A backend whose storage is not a Float32Array, with one kernel of its own, like a partial native one. */
class Boxed {
  constructor(readonly values: Float32Array) {}
}
let addCalls = 0;
let live = 0;
const boxed: Backend = {
  name: 'boxed-test',
  fromFloat32(values: Float32Array): Storage {
    live++;
    return new Boxed(Float32Array.from(values));
  },
  toFloat32(storage: Storage): Float32Array {
    return (storage as Boxed).values;
  },
  dispose(): void {
    live--;
  },
};
registerBackend(boxed);
registerKernel('boxed-test', 'Add', ([a, b]) => {
  addCalls++;
  const x = (a!.storage as Boxed).values;
  const y = (b!.storage as Boxed).values;
  if (x.length !== y.length) throw new Error('test backend: same shapes only');
  live++;
  return { shape: a!.shape, storage: new Boxed(x.map((v, i) => v + y[i]!)) };
});

test('ops run a backend kernel when it exists and fall back to the reference kernel otherwise', () => {
  setBackend('boxed-test');
  try {
    assert.equal(getBackend().name, 'boxed-test');
    const a = tensor([1, 2, 3], [3]);
    const b = tensor([10, 20, 30], [3]);
    const sum = add(a, b);
    assert.equal(addCalls, 1);
    assert.ok(sum.storage instanceof Boxed);
    const product = mul(a, b); // no Mul kernel on this backend: reference fallback
    assert.ok(product.storage instanceof Boxed);
    assert.deepEqual([...product.data()], [10, 40, 90]);
    const x = randomValues(2 * 3 * 5 * 5, 1);
    const w = randomValues(4 * 3 * 3 * 3, 2);
    const onBoxed = conv2d(tensor(x, [2, 3, 5, 5]), tensor(w, [4, 3, 3, 3]), null, {
      padding: 1,
    }).toFloat32Array();
    setBackend('reference');
    const onReference = conv2d(tensor(x, [2, 3, 5, 5]), tensor(w, [4, 3, 3, 3]), null, { padding: 1 }).data();
    assert.deepEqual([...onBoxed], [...onReference]);
    // Mixed backends: inputs move to the active backend.
    const mixed = add(tensor([1, 1, 1], [3]), a);
    assert.equal(mixed.backend.name, 'reference');
    const before = live;
    sum.dispose();
    assert.equal(live, before - 1);
  } finally {
    setBackend('reference');
  }
});

test('assign copies values computed on another backend', () => {
  setBackend('boxed-test');
  const p = parameter([1, 2], [2]);
  setBackend('reference');
  p.assign(tensor([5, 6], [2]));
  assert.ok(p.storage instanceof Boxed);
  assert.deepEqual([...p.data()], [5, 6]);
});

test('unknown backends are refused with the list of available ones', () => {
  assert.throws(() => setBackend('tpu'), /backend 'tpu' is not available; available: .*reference/);
});
