// The attention maps are not only shaped right: gradients flow back through them to what makes
// them — in pre-training to the image encoder and, through the tag queries, to the text encoder; in
// fine-tuning, the segmentation loss reaches the tag queries and their projection only through the
// maps fed to the decoder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, mul, seed, sum, tensor } from '../engine/index.js';
import { namedParameters } from './module.js';
import { MosmosModel } from './mosmos-model.js';
import { UNet2d } from './unet2d.js';

const ramp = (n: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i));
const nonZero = (values: Float32Array | undefined) => values?.some((v) => v !== 0) === true;

test('pre-training: a loss on the pixel-tag attention maps reaches the image encoder and, via the queries, the text encoder', () => {
  seed(3);
  const model = new MosmosModel({
    arch: 'unet2d',
    inChannels: 1,
    widths: [4, 8],
    text: { vocabSize: 30, maxLength: 8, hidden: 8, depth: 1, heads: 2 },
    embedDim: 12,
    tags: ['liver', 'spleen', 'kidney'],
  });
  const features = model.encodeImage(tensor(ramp(2 * 16 * 16), [2, 1, 16, 16]), true).features;
  const prompts = {
    ids: Int32Array.from([2, 5, 3, 0, 2, 6, 3, 0, 2, 7, 8, 3]),
    mask: Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1]),
    batch: 3,
    length: 4,
  };
  const queries = model.tagQueries(prompts, true);
  // A loss on the maps alone (the tag logits have other paths to the queries). Softmax maps sum to
  // one, so the weights must vary over pixels or every gradient would cancel.
  const { attention } = model.recognise(features, queries);
  const weights = tensor(ramp(attention.shape.reduce((a, b) => a * b, 1)), attention.shape);
  backward(sum(mul(attention, weights)));
  const stem = namedParameters(model.imageEncoder).find(([name]) => name === 'stem.weight')![1];
  assert.ok(nonZero(stem.grad?.toFloat32Array()), 'image encoder stem');
  assert.ok(nonZero(model.featureProjection.weight.grad?.toFloat32Array()), 'pixel feature projection');
  assert.ok(nonZero(model.tagEmbedding.grad?.toFloat32Array()), 'tag query embeddings');
  const text = namedParameters(model.textEncoder).filter(([, p]) => nonZero(p.grad?.toFloat32Array()));
  assert.ok(text.length > 0, 'the text encoder behind the queries');
});

test('fine-tuning: the segmentation loss reaches the tag queries and their projection through the maps', () => {
  seed(4);
  const net = new UNet2d({
    inChannels: 1,
    widths: [4, 8],
    classes: 3,
    attention: { tags: 4, embedDim: 6, tau: 0.1 },
  });
  const logits = net.forward(tensor(ramp(2 * 16 * 16), [2, 1, 16, 16]));
  backward(sum(mul(logits, tensor(ramp(logits.shape.reduce((a, b) => a * b, 1)), logits.shape))));
  const attention = namedParameters(net).filter(([name]) => name.startsWith('attention.'));
  assert.ok(attention.some(([name]) => name === 'attention.tagQueries'));
  for (const [name, p] of attention) assert.ok(nonZero(p.grad?.toFloat32Array()), `${name} gets a gradient`);
  assert.ok(nonZero(net.imageEncoder.stem.weight.grad?.toFloat32Array()), 'image encoder stem');
});
