import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, mean, parameter, randn, seed, tidy } from '../engine/index.js';
import { namedParameters } from './module.js';
import { Unetr } from './unetr.js';

const vit = {
  imageSize: [16, 16, 16] as [number, number, number],
  patchSize: 8,
  hidden: 16,
  depth: 4,
  heads: 2,
};

test('UNETR maps a patch to logits of the same size, with skips from the ViT', () => {
  seed(0);
  const net = new Unetr({ inChannels: 1, classes: 4, featureSize: 4, vit });
  assert.equal(net.levels, 3);
  assert.equal(net.tokenSkips.length, 2);
  assert.deepEqual(net.skipSources, [1, 2]);
  const shape = tidy(() => {
    const y = net.forward(parameter(randn([1, 1, 16, 16, 16]).toFloat32Array(), [1, 1, 16, 16, 16]));
    backward(mean(y));
    return y.shape;
  });
  assert.deepEqual(shape, [1, 4, 16, 16, 16]);
  // Every parameter, encoder included, receives a gradient.
  const missing = namedParameters(net)
    .filter(([, p]) => !p.grad)
    .map(([n]) => n);
  assert.deepEqual(missing, []);
});

test('UNETR with attention maps: K more input channels at every decoder stage', () => {
  seed(0);
  const off = new Unetr({ inChannels: 1, classes: 2, featureSize: 4, vit });
  const on = new Unetr({
    inChannels: 1,
    classes: 2,
    featureSize: 4,
    vit,
    attention: { tags: 5, embedDim: 8, tau: 0.1 },
  });
  for (const [i, stage] of on.decoder.entries())
    assert.equal(stage.block.conv1.inChannels, off.decoder[i]!.block.conv1.inChannels + 5);
  const shape = tidy(() => on.forward(randn([2, 1, 16, 16, 16])).shape);
  assert.deepEqual(shape, [2, 2, 16, 16, 16]);
  assert.throws(
    () => new Unetr({ inChannels: 1, classes: 2, featureSize: 4, vit: { ...vit, patchSize: 6 } }),
    /power-of-two/,
  );
});
