import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noGrad, randn, seed, tidy } from '../engine/index.js';
import { namedParameters, stateDict } from './module.js';
import { MosmosModel } from './mosmos-model.js';
import { UNet2d } from './unet2d.js';

test('the 2D U-Net maps [N, C, H, W] to class logits at full resolution', () => {
  seed(0);
  const net = new UNet2d({ inChannels: 1, widths: [4, 8, 16], classes: 5 });
  const y = noGrad(() => tidy(() => net.forward(randn([2, 1, 16, 12])).shape));
  assert.deepEqual(y, [2, 5, 16, 12]);
  assert.throws(() => noGrad(() => net.forward(randn([1, 1, 10, 12]))), /divisible by 4/);
});

test('attention maps add K channels to every decoder stage and sum to 1 over tags', () => {
  seed(0);
  const off = new UNet2d({ inChannels: 1, widths: [4, 8, 16], classes: 3 });
  seed(0);
  const on = new UNet2d({
    inChannels: 1,
    widths: [4, 8, 16],
    classes: 3,
    attention: { tags: 6, embedDim: 10, tau: 0.1 },
  });
  for (const [i, stage] of on.decoder.entries())
    assert.equal(stage.block.conv1.inChannels, off.decoder[i]!.block.conv1.inChannels + 6);
  assert.deepEqual(on.attention!.tagQueries.shape, [6, 10]);
  // One map per stage the decoder meets (widths 4 and 8), each at that stage's resolution.
  const all = noGrad(() =>
    tidy(() =>
      on.attention!.forward([randn([1, 4, 8, 8]), randn([1, 8, 4, 4])]).map((m) => m.toFloat32Array()),
    ),
  );
  assert.deepEqual(
    all.map((m) => m.length),
    [6 * 64, 6 * 16],
  );
  const maps = all[1]!;
  // Softmax over tags: the K maps sum to 1 at every pixel (float32 rounding).
  for (let p = 0; p < 16; p++) {
    let s = 0;
    for (let k = 0; k < 6; k++) s += maps[k * 16 + p]!;
    assert.ok(Math.abs(s - 1) < 1e-5);
  }
});

test('encoder and stage projection parameters carry the pre-training names and shapes', () => {
  seed(0);
  const pre = new MosmosModel({
    arch: 'unet2d',
    inChannels: 1,
    widths: [4, 8, 16],
    text: { vocabSize: 30, maxLength: 8, hidden: 8, depth: 1, heads: 2 },
    embedDim: 12,
    tags: ['a', 'b', 'c'],
  });
  const net = new UNet2d({
    inChannels: 1,
    widths: [4, 8, 16],
    classes: 2,
    attention: { tags: 3, embedDim: 12, tau: 0.1 },
  });
  const names = (m: object) => namedParameters(m).map(([n, p]) => `${n}:${p.shape}`);
  assert.deepEqual(names(net.imageEncoder), names(pre.imageEncoder));
  assert.deepEqual(names(net.attention!.stageProjections), names(pre.stageProjections));
  assert.ok(stateDict(net).has('imageEncoder.stem.weight'));
});
