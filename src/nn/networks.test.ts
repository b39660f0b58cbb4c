import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, mean, seed, sum, tensor } from '../engine/index.js';
import { MlrDecoder } from './mlr-decoder.js';
import { pixelTagAttention } from './pixel-tag-attention.js';
import { TextEncoder } from './text-encoder.js';
import { UNet2dEncoder } from './unet2d-encoder.js';
import { ViT, vitPresets } from './vit.js';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));

test('the 2D encoder returns a skip per stage, the deepest map and pooled features, with gradients', () => {
  seed(10);
  const enc = new UNet2dEncoder({ inChannels: 1, widths: [4, 8, 16] });
  const out = enc.forward(tensor(ramp(2 * 16 * 16), [2, 1, 16, 16]));
  assert.deepEqual(
    out.skips.map((s) => s.shape),
    [
      [2, 4, 16, 16],
      [2, 8, 8, 8],
      [2, 16, 4, 4],
    ],
  );
  assert.equal(out.deepest, out.skips[2]);
  assert.deepEqual(out.pooled.shape, [2, 32]);
  backward(mean(out.pooled));
  assert.ok(
    enc.stem.weight.grad!.data().some((g) => g !== 0),
    'gradient reaches the stem',
  );
  assert.throws(() => enc.forward(tensor(ramp(18 * 18), [1, 1, 18, 18])), /divisible by 4/);
});

test('the ViT exposes tokens at 4 depths (3, 6, 9, 12 of 12) and the final tokens', () => {
  seed(11);
  const base = new ViT({ inChannels: 1, ...vitPresets.base, imageSize: [16, 16, 16], hidden: 24, heads: 2 });
  assert.deepEqual(base.skipLayers, [3, 6, 9, 12]);
  const tiny = new ViT({
    inChannels: 1,
    imageSize: [16, 16, 8],
    patchSize: 8,
    hidden: 16,
    depth: 4,
    heads: 2,
  });
  const out = tiny.forward(tensor(ramp(16 * 16 * 8), [1, 1, 16, 16, 8]));
  assert.deepEqual(out.grid, [2, 2, 1]);
  assert.deepEqual(out.tokens.shape, [1, 4, 16]);
  assert.equal(out.hiddenStates.length, 4);
  assert.deepEqual(out.pooled.shape, [1, 16]);
  assert.throws(() => tiny.forward(tensor(ramp(8 * 8 * 8), [1, 1, 8, 8, 8])), /expects 16×16×8/);
});

test('the text embedding does not depend on padding (tolerance 1e-5: float32 sums)', () => {
  seed(12);
  const enc = new TextEncoder({ vocabSize: 30, maxLength: 12, hidden: 16, depth: 2, heads: 2 });
  const short = enc.forward({
    ids: Int32Array.from([2, 7, 9, 3]),
    mask: Uint8Array.from([1, 1, 1, 1]),
    batch: 1,
    length: 4,
  });
  const padded = enc.forward({
    ids: Int32Array.from([2, 7, 9, 3, 0, 0, 0, 0]),
    mask: Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0]),
    batch: 1,
    length: 8,
  });
  const a = short.pooled.data();
  const b = padded.pooled.data();
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5);
});

test('pixel-tag attention: softmax over tags of cosine/τ with the image-centred features (tolerance 1e-5)', () => {
  // Two pixels in a 1×2 map with C = 2: p0 = (1, 0), p1 = (1, 1); their mean (1, 0.5) is removed,
  // leaving (0, -0.5) and (0, 0.5). Queries q0 = (2, 0), q1 = (0, 3): cosines p0 → (0, -1), p1 → (0, 1).
  const features = tensor([1, 1, 0, 1], [1, 2, 1, 2]);
  const queries = tensor([2, 0, 0, 3], [2, 2]);
  const a = pixelTagAttention(features, queries, 0.5).data(); // [1, 2, 1, 2]
  const expected0 = 1 / (1 + Math.exp(-1 / 0.5));
  const expected1 = 1 / (1 + Math.exp(1 / 0.5));
  assert.ok(Math.abs(a[0]! - expected0) < 1e-5, `${a[0]} vs ${expected0}`);
  assert.ok(Math.abs(a[1]! - expected1) < 1e-5, `${a[1]} vs ${expected1}`);
  assert.ok(Math.abs(a[0]! + a[2]! - 1) < 1e-6);
});

test('the MLR decoder gives one logit per tag and pixel attention summing to 1', () => {
  seed(13);
  const dec = new MlrDecoder({ dim: 8, tags: 3 });
  const out = dec.forward(tensor(ramp(2 * 8 * 4 * 4), [2, 8, 4, 4]), tensor(ramp(3 * 8), [3, 8]), true);
  assert.deepEqual(out.logits.shape, [2, 3]);
  assert.deepEqual(out.attention.shape, [2, 3, 16]);
  const rowSums = sum(out.attention, -1).data();
  for (const s of rowSums) assert.ok(Math.abs(s - 1) < 1e-5);
});
