import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, mean, noGrad, randn, seed, tidy } from '../engine/index.js';
import { MlrDecoder } from './mlr-decoder.js';
import { MosmosModel } from './mosmos-model.js';
import type { UNet2dEncoder } from './unet2d-encoder.js';

test('the MLR decoder gives one logit per tag through 2 cross-attention layers of 4 heads', () => {
  seed(1);
  const decoder = new MlrDecoder({ dim: 16, tags: 5 });
  assert.equal(decoder.layers.length, 2);
  assert.equal(decoder.layers[0]!.crossAttention.heads, 4);
  const out = noGrad(() => decoder.forward(randn([3, 16, 4, 6]), randn([5, 16]), true));
  assert.deepEqual(out.logits.shape, [3, 5]);
  assert.deepEqual(out.attention.shape, [3, 5, 24]);
  // Attention weights over pixels sum to 1 for every image and tag.
  const a = out.attention.toFloat32Array();
  for (let r = 0; r < 15; r++) {
    const s = a.subarray(r * 24, (r + 1) * 24).reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} sums to ${s}`);
  }
});

test('the recognition loss reaches the image encoder, the tag queries and the text encoder', () => {
  seed(2);
  const model = new MosmosModel({
    arch: 'unet2d',
    inChannels: 1,
    widths: [4, 8],
    text: { vocabSize: 20, maxLength: 8, hidden: 8, depth: 1, heads: 2 },
    embedDim: 8,
    tags: ['a', 'b', 'c'],
  });
  const prompts = {
    ids: Int32Array.from([2, 5, 3, 0, 2, 6, 3, 0, 2, 7, 3, 0]),
    mask: Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]),
    batch: 3,
    length: 4,
  };
  tidy(() => {
    const enc = model.encodeImage(randn([2, 1, 8, 8]), true);
    assert.equal(enc.stages.length, 2, 'a map per encoder stage');
    assert.deepEqual(enc.stages[0]!.shape, [2, 8, 8, 8]);
    assert.deepEqual(enc.stages[1]!.shape, [2, 8, 4, 4]);
    const logits = model.recognise(enc.features, model.tagQueries(prompts, true)).logits;
    assert.deepEqual(logits.shape, [2, 3]);
    backward(mean(logits));
  });
  const norm = (g: { toFloat32Array(): Float32Array } | null) => (g ? Math.hypot(...g.toFloat32Array()) : 0);
  assert.ok(
    norm((model.imageEncoder as UNet2dEncoder).stem.weight.grad) > 0,
    'gradient reaches the image encoder',
  );
  assert.ok(norm(model.tagEmbedding.grad) > 0, 'gradient reaches the tag queries');
  assert.ok(norm(model.queryProjection.fc1.weight.grad) > 0, 'gradient reaches the query projection');
  const text = model.textEncoder as unknown as { tokenEmbedding: { weight: { grad: null } } };
  assert.ok(norm(text.tokenEmbedding.weight.grad) > 0, 'gradient reaches the text encoder');
});
