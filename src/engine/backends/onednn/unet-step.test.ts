import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AdamW,
  availableBackends,
  backward,
  batchNorm,
  concat,
  conv2d,
  convTranspose2d,
  logSoftmax,
  maxPool2d,
  mul,
  type Parameter,
  parameter,
  randn,
  relu,
  scaleShift,
  seed,
  setBackend,
  sum,
  type Tensor,
  tidy,
} from '../../index.js';

// Three training steps of a small two-level U-Net (conv → batch norm → ReLU, max-pool, transposed
// conv, concat skip, 1×1 head, cross-entropy, AdamW) on each backend from the same seed.
function trainSteps(backend: string): { losses: number[]; weight: Float32Array } {
  setBackend(backend);
  seed(11);
  const p = (shape: number[], std: number): Parameter => {
    const t = randn(shape, { std });
    const out = parameter(t);
    t.dispose();
    return out;
  };
  const fixed = (values: Float32Array, shape: number[]) => {
    const out = parameter(values, shape);
    out.requiresGrad = false;
    return out;
  };
  const norm = (c: number) => ({
    weight: parameter(new Float32Array(c).fill(1), [c]),
    bias: parameter(new Float32Array(c), [c]),
    runningMean: fixed(new Float32Array(c), [c]),
    runningVar: fixed(new Float32Array(c).fill(1), [c]),
  });
  const w1 = p([16, 1, 3, 3], 0.5);
  const n1 = norm(16);
  const w2 = p([24, 16, 3, 3], 0.1);
  const n2 = norm(24);
  const up = p([24, 16, 2, 2], 0.1);
  const upBias = parameter(new Float32Array(16), [16]);
  const w3 = p([16, 32, 3, 3], 0.1);
  const n3 = norm(16);
  const head = p([5, 16, 1, 1], 0.2);
  const headBias = parameter(new Float32Array(5), [5]);
  const params = [
    w1,
    n1.weight,
    n1.bias,
    w2,
    n2.weight,
    n2.bias,
    up,
    upBias,
    w3,
    n3.weight,
    n3.bias,
    head,
    headBias,
  ];
  const x = randn([2, 1, 12, 10]);
  const target = new Float32Array(2 * 5 * 12 * 10);
  for (let i = 0; i < 2 * 12 * 10; i++) {
    const b = Math.floor(i / 120);
    target[(b * 5 + (i % 5)) * 120 + (i % 120)] = 1;
  }
  const oneHot = fixed(target, [2, 5, 12, 10]);
  const block = (t: Tensor, w: Parameter, n: ReturnType<typeof norm>) =>
    relu(batchNorm(conv2d(t, w, null, { padding: 1 }), { ...n, training: true }));
  const optimizer = new AdamW(params, { lr: 1e-2 });
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    losses.push(
      tidy(() => {
        optimizer.zeroGrad();
        const s1 = block(x, w1, n1);
        const s2 = block(maxPool2d(s1, 2), w2, n2);
        const merged = block(concat([s1, convTranspose2d(s2, up, upBias, { stride: 2 })], 1), w3, n3);
        const logits = conv2d(merged, head, headBias);
        const loss = scaleShift(sum(mul(logSoftmax(logits, 1), oneHot)), -1 / 240);
        backward(loss);
        optimizer.step();
        return loss.item();
      }),
    );
  }
  return { losses, weight: w2.toFloat32Array() };
}

test('a U-Net training step on oneDNN matches the reference backend', {
  skip: availableBackends().includes('onednn') ? false : 'oneDNN addon unavailable',
}, () => {
  const reference = trainSteps('reference');
  const native = trainSteps('onednn');
  setBackend('reference');
  // Tolerance: float32 sums over ≤ 300 terms per output in a different order give ~1e-6
  // relative differences; three Adam steps (whose update normalises the gradient, amplifying
  // relative noise in tiny gradient components) keep them far below 1e-3.
  for (let i = 0; i < 3; i++) {
    const [a, b] = [reference.losses[i]!, native.losses[i]!];
    assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(a), `step ${i}: loss ${a} (reference) vs ${b} (oneDNN)`);
  }
  assert.ok(reference.losses[2]! < reference.losses[0]!, 'training lowers the loss');
  let worst = 0;
  for (let i = 0; i < reference.weight.length; i++) {
    worst = Math.max(worst, Math.abs(reference.weight[i]! - native.weight[i]!));
  }
  assert.ok(worst < 1e-3, `weights after 3 steps differ by ${worst}`);
});
