import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add, backward, randn, seed, sum } from '../engine/index.js';
import { namedParameters } from './module.js';
import { buildSegmentationNetwork, segmentationOutputs } from './segmentation-network.js';
import { UNet2d } from './unet2d.js';
import { UNet3d } from './unet3d.js';

test('3D U-Net: deep supervision outputs at full, 1/2 and 1/4 resolution, gradients reach every weight', () => {
  seed(1);
  const net = new UNet3d({ inChannels: 1, widths: [4, 8, 8, 8], classes: 3, deepSupervision: true });
  const x = randn([2, 1, 8, 16, 16]);
  const outputs = net.forwardDeep(x);
  assert.deepEqual(
    outputs.map((o) => o.shape),
    [
      [2, 3, 8, 16, 16],
      [2, 3, 4, 8, 8],
      [2, 3, 2, 4, 4],
    ],
  );
  assert.deepEqual(net.forward(x).shape, [2, 3, 8, 16, 16]);
  backward(outputs.map((o) => sum(o)).reduce((a, b) => add(a, b)));
  for (const [name, p] of namedParameters(net)) assert.ok(p.grad, `no gradient for ${name}`);
  assert.throws(() => net.forward(randn([1, 1, 6, 16, 16])), /divisible by 8/);
});

test('3D U-Net with attention maps concatenates K maps at every decoder stage', () => {
  seed(2);
  const net = buildSegmentationNetwork({
    arch: 'unet3d',
    inChannels: 1,
    widths: [4, 8],
    classes: 2,
    attention: { tags: 5, embedDim: 6, tau: 0.1 },
  });
  assert.ok(net instanceof UNet3d);
  // The decoder block sees up-sampled (4) + skip (4) + 5 maps.
  assert.equal(net.decoder[0]!.block.conv1.weight.shape[1], 13);
  assert.deepEqual(
    segmentationOutputs(net, randn([1, 1, 4, 8, 8])).map((o) => o.shape),
    [[1, 2, 4, 8, 8]],
  );
});

test('2D U-Net deep supervision heads and unchanged single-output forward', () => {
  seed(3);
  const net = new UNet2d({ inChannels: 1, widths: [4, 8, 16, 16], classes: 4, deepSupervision: true });
  const outputs = net.forwardDeep(randn([2, 1, 32, 32]));
  assert.deepEqual(
    outputs.map((o) => o.shape),
    [
      [2, 4, 32, 32],
      [2, 4, 16, 16],
      [2, 4, 8, 8],
    ],
  );
});
