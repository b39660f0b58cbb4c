import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seed, tensor } from '../../engine/index.js';
import { MultiHeadAttention, paddingMaskValues } from './attention.js';
import { Conv, ConvTranspose } from './conv.js';
import { Linear } from './linear.js';
import { TransformerEncoderLayer } from './transformer.js';

test('Linear and Conv use PyTorch initialisation bounds ±1/√fan_in', () => {
  seed(3);
  const lin = new Linear(50, 7);
  const w = lin.weight.data();
  const bound = 1 / Math.sqrt(50);
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  // Uniform on ±b has standard deviation b/√3; with 350 samples the estimate is within 15 %.
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.15 * (bound / Math.sqrt(3)), `std ${std}`);
  const conv = new Conv(3, 2, 4, 3);
  assert.deepEqual(conv.weight.shape, [4, 2, 3, 3, 3]);
  assert.ok(conv.weight.data().every((v) => Math.abs(v) <= 1 / Math.sqrt(54)));
});

test('conv layers keep or scale spatial size as configured', () => {
  seed(4);
  const x = tensor(new Float32Array(2 * 3 * 8 * 6).fill(1), [2, 3, 8, 6]);
  assert.deepEqual(new Conv(2, 3, 5, 3).forward(x).shape, [2, 5, 8, 6]);
  assert.deepEqual(new Conv(2, 3, 5, 3, { stride: 2 }).forward(x).shape, [2, 5, 4, 3]);
  assert.deepEqual(new ConvTranspose(2, 3, 2, 2).forward(x).shape, [2, 2, 16, 12]);
});

test('attention ignores padded keys: changing them leaves the real tokens unchanged (tolerance 1e-6)', () => {
  seed(5);
  const attn = new MultiHeadAttention(8, 2);
  const values = Float32Array.from({ length: 1 * 4 * 8 }, (_, i) => Math.sin(i));
  const mask = tensor(paddingMaskValues(Uint8Array.from([1, 1, 1, 0]), 1, 4), [1, 1, 1, 4]);
  const a = attn.forward(tensor(values, [1, 4, 8]), undefined, mask).data();
  const changed = Float32Array.from(values);
  for (let j = 24; j < 32; j++) changed[j] = 100 + j;
  const b = attn.forward(tensor(changed, [1, 4, 8]), undefined, mask).data();
  for (let i = 0; i < 24; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `token ${Math.floor(i / 8)}`);
});

test('single-head attention matches a hand-computed softmax(qkᵀ/√d)v (tolerance 1e-5: float32)', () => {
  seed(6);
  const attn = new MultiHeadAttention(2, 1);
  const x = [1, 0, 0, 1];
  const y = attn.forward(tensor(x, [1, 2, 2])).data();
  const lin = (
    l: { weight: { data(): Float32Array }; bias: { data(): Float32Array } | null },
    v: number[],
  ) => {
    const w = l.weight.data();
    const b = l.bias!.data();
    return [0, 1].map((o) => w[o * 2]! * v[0]! + w[o * 2 + 1]! * v[1]! + b[o]!);
  };
  const tokens = [x.slice(0, 2), x.slice(2)];
  const q = tokens.map((t) => lin(attn.query, t));
  const k = tokens.map((t) => lin(attn.key, t));
  const v = tokens.map((t) => lin(attn.value, t));
  for (let t = 0; t < 2; t++) {
    const s = k.map((kk) => (q[t]![0]! * kk[0]! + q[t]![1]! * kk[1]!) / Math.SQRT2);
    const e = s.map((z) => Math.exp(z - Math.max(...s)));
    const p = e.map((z) => z / (e[0]! + e[1]!));
    const ctx = [0, 1].map((c) => p[0]! * v[0]![c]! + p[1]! * v[1]![c]!);
    const out = lin(attn.out, ctx);
    assert.ok(Math.abs(out[0]! - y[t * 2]!) < 1e-5 && Math.abs(out[1]! - y[t * 2 + 1]!) < 1e-5);
  }
});

test('a pre-LN transformer layer keeps the token shape', () => {
  seed(7);
  const layer = new TransformerEncoderLayer(16, 4);
  const x = tensor(
    new Float32Array(3 * 5 * 16).map((_, i) => Math.cos(i)),
    [3, 5, 16],
  );
  assert.deepEqual(layer.forward(x).shape, [3, 5, 16]);
});
