import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parameter, tensor } from '../creation.js';
import type { Parameter } from '../tensor.js';
import { useTestBackend } from '../testing/gradient-check.js';
import { AdamW } from './adamw.js';
import { clipGradNorm } from './clip.js';
import { warmupCosine } from './schedule.js';
import { SGD } from './sgd.js';

useTestBackend();

function setGrad(p: Parameter, values: number[]): void {
  p.grad?.dispose();
  p.grad = tensor(values, p.shape);
}

// Hand-computed PyTorch steps in float64; float32 storage gives ~1e-7 relative error, we allow 1e-6.
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;

test('SGD with momentum and with Nesterov momentum follows PyTorch', () => {
  const p = parameter([1], [1]);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  setGrad(p, [0.5]);
  opt.step();
  assert.ok(close(p.data()[0]!, 0.95));
  setGrad(p, [0.5]);
  opt.step();
  assert.ok(close(p.data()[0]!, 0.855));

  const q = parameter([1], [1]);
  const nesterov = new SGD([q], { lr: 0.1, momentum: 0.9, nesterov: true });
  setGrad(q, [0.5]);
  nesterov.step();
  assert.ok(close(q.data()[0]!, 0.905));
  setGrad(q, [0.5]);
  nesterov.step();
  assert.ok(close(q.data()[0]!, 0.7695));

  const r = parameter([2], [1]);
  const decayed = new SGD([r], { lr: 0.1, weightDecay: 0.5 });
  setGrad(r, [1]);
  decayed.step();
  // g = 1 + 0.5·2 = 2 → 2 − 0.2
  assert.ok(close(r.data()[0]!, 1.8));
});

test('AdamW follows PyTorch (decoupled decay, bias correction)', () => {
  const p = parameter([1, -2], [2]);
  const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.01 });
  setGrad(p, [0.5, 0.5]);
  opt.step();
  assert.ok(close(p.data()[0]!, 0.899), `${p.data()[0]}`);
  assert.ok(close(p.data()[1]!, -2 * 0.999 - 0.1));
  setGrad(p, [0.5, -1]);
  opt.step();
  assert.ok(close(p.data()[0]!, 0.798101), `${p.data()[0]}`);
  // second element: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001 = 0.00124975
  const m = -0.055 / (1 - 0.81);
  const v = 0.00124975 / (1 - 0.998001);
  const expected = (-2 * 0.999 - 0.1) * 0.999 - (0.1 * m) / (Math.sqrt(v) + 1e-8);
  assert.ok(close(p.data()[1]!, expected), `${p.data()[1]} vs ${expected}`);
});

test('parameter groups override weight decay', () => {
  const a = parameter([1], [1]);
  const b = parameter([1], [1]);
  const opt = new AdamW([{ params: [a] }, { params: [b], weightDecay: 0 }], { lr: 0.1, weightDecay: 0.5 });
  setGrad(a, [0]);
  setGrad(b, [0]);
  opt.step();
  assert.ok(close(a.data()[0]!, 0.95));
  assert.ok(close(b.data()[0]!, 1));
});

test('optimizer state survives export and import', () => {
  const make = (): [Parameter, AdamW] => {
    const p = parameter([0.3, -0.7, 1.1], [3]);
    return [p, new AdamW([p], { lr: 0.05 })];
  };
  const [p1, o1] = make();
  for (const g of [
    [0.1, -0.2, 0.3],
    [0.4, 0.1, -0.5],
  ]) {
    setGrad(p1, g);
    o1.step();
  }
  const [p2, o2] = make();
  p2.assign(tensor(p1.toFloat32Array(), [3]));
  o2.loadStateDict(o1.stateDict());
  setGrad(p1, [0.2, 0.2, 0.2]);
  setGrad(p2, [0.2, 0.2, 0.2]);
  o1.step();
  o2.step();
  assert.deepEqual([...p2.data()], [...p1.data()]);
  assert.throws(() => new SGD([p2], { lr: 1 }).loadStateDict(o1.stateDict()), /adamw/);
});

test('clipGradNorm scales the global norm down to the limit', () => {
  const a = parameter([0, 0], [2]);
  const b = parameter([0], [1]);
  setGrad(a, [3, 0]);
  setGrad(b, [4]);
  const norm = clipGradNorm([a, b], 1);
  assert.ok(Math.abs(norm - 5) < 1e-6);
  assert.ok(Math.abs(a.grad!.data()[0]! - 0.6) < 1e-6 && Math.abs(b.grad!.data()[0]! - 0.8) < 1e-6);
  assert.ok(Math.abs(clipGradNorm([a, b], 10) - 1) < 1e-5);
  assert.ok(Math.abs(a.grad!.data()[0]! - 0.6) < 1e-6);
});

test('warm-up then cosine decay', () => {
  const s = warmupCosine({ lr: 1, warmupSteps: 4, totalSteps: 14, minLr: 0.1 });
  assert.deepEqual([0, 1, 2, 3].map(s), [0.25, 0.5, 0.75, 1]);
  assert.ok(Math.abs(s(9) - 0.55) < 1e-12);
  assert.ok(Math.abs(s(14) - 0.1) < 1e-12 && Math.abs(s(100) - 0.1) < 1e-12);
});
