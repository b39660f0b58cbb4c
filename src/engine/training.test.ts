import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward } from './autograd.js';
import { parameter, randn, tensor } from './creation.js';
import { tidy } from './memory.js';
import { relu } from './ops/activation.js';
import { mul } from './ops/arithmetic.js';
import { conv2d } from './ops/conv.js';
import { convTranspose2d } from './ops/conv-transpose.js';
import { instanceNorm } from './ops/normalization.js';
import { maxPool2d } from './ops/pool.js';
import { mean, sum } from './ops/reduction.js';
import { concat } from './ops/shape.js';
import { logSoftmax } from './ops/softmax.js';
import { AdamW } from './optim/adamw.js';
import { Rng, seed } from './random.js';
import type { Parameter, Tensor } from './tensor.js';
import { useTestBackend } from './testing/gradient-check.js';

useTestBackend();

/** Images with one bright square on noise, and its one-hot mask [background, square]. */
function toyBatch(rng: Rng, batch: number, size: number): { images: Tensor; targets: Tensor } {
  const images = new Float32Array(batch * size * size);
  const targets = new Float32Array(batch * 2 * size * size);
  for (let b = 0; b < batch; b++) {
    const side = 3 + rng.int(5);
    const y0 = rng.int(size - side);
    const x0 = rng.int(size - side);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const inside = y >= y0 && y < y0 + side && x >= x0 && x < x0 + side;
        const p = y * size + x;
        images[b * size * size + p] = (inside ? 1 : 0) + 0.2 * rng.normal();
        targets[(b * 2 + (inside ? 1 : 0)) * size * size + p] = 1;
      }
  }
  return { images: tensor(images, [batch, 1, size, size]), targets: tensor(targets, [batch, 2, size, size]) };
}

/** A two-level U-Net: conv blocks with instance norm, max-pool down, transposed-conv up, skip concat. */
function tinyUnet(): { params: Parameter[]; forward: (x: Tensor) => Tensor } {
  const he = (cout: number, cin: number, k: number): Parameter =>
    parameter(randn([cout, cin, k, k], { std: Math.sqrt(2 / (cin * k * k)) }));
  const bias = (n: number): Parameter => parameter(new Float32Array(n), [n]);
  const p = {
    enc1: he(8, 1, 3),
    enc1b: bias(8),
    enc2: he(16, 8, 3),
    enc2b: bias(16),
    up: parameter(randn([16, 8, 2, 2], { std: Math.sqrt(1 / 16) })),
    upb: bias(8),
    dec: he(8, 16, 3),
    decb: bias(8),
    head: he(2, 8, 1),
    headb: bias(2),
  };
  const block = (x: Tensor, w: Tensor, b: Tensor): Tensor =>
    relu(instanceNorm(conv2d(x, w, b, { padding: 1 })));
  return {
    params: Object.values(p),
    forward: (x) => {
      const s1 = block(x, p.enc1, p.enc1b);
      const s2 = block(maxPool2d(s1, 2), p.enc2, p.enc2b);
      const u = convTranspose2d(s2, p.up, p.upb, { stride: 2 });
      const d = block(concat([u, s1], 1), p.dec, p.decb);
      return conv2d(d, p.head, p.headb);
    },
  };
}

test('a tiny 2D U-Net learns to segment bright squares (loss near zero within seconds)', () => {
  seed(1);
  const rng = new Rng(2);
  const net = tinyUnet();
  const opt = new AdamW(net.params, { lr: 1e-2, weightDecay: 0 });
  const crossEntropy = (logits: Tensor, targets: Tensor): Tensor =>
    mul(mean(sum(mul(logSoftmax(logits, 1), targets), 1)), -1);
  let first = 0;
  let last = 0;
  const started = Date.now();
  for (let step = 0; step < 60; step++) {
    const loss = tidy(() => {
      const { images, targets } = toyBatch(rng, 8, 16);
      const l = crossEntropy(net.forward(images), targets);
      backward(l);
      opt.step();
      opt.zeroGrad();
      return l.item();
    });
    if (step === 0) first = loss;
    last = loss;
  }
  const seconds = (Date.now() - started) / 1000;
  // Untrained: ln 2 ≈ 0.69 per pixel; the problem is separable by intensity and shape, so a working
  // engine drives the loss close to zero. 0.05 leaves room for the noise-corrupted border pixels.
  assert.ok(first > 0.3, `first loss ${first}`);
  assert.ok(last < 0.05, `loss after 60 steps ${last} (first ${first})`);
  assert.ok(seconds < 30, `training took ${seconds} s`);
  // Held-out accuracy on fresh images.
  const accuracy = tidy(() => {
    const { images, targets } = toyBatch(new Rng(99), 4, 16);
    const logits = net.forward(images).data();
    const t = targets.data();
    let correct = 0;
    const plane = 16 * 16;
    for (let b = 0; b < 4; b++)
      for (let i = 0; i < plane; i++) {
        const predicted = logits[(b * 2 + 1) * plane + i]! > logits[b * 2 * plane + i]! ? 1 : 0;
        if (t[(b * 2 + 1) * plane + i] === predicted) correct++;
      }
    return correct / (4 * plane);
  });
  assert.ok(accuracy > 0.98, `held-out pixel accuracy ${accuracy}`);
});
