/**
 * MONAI's `UnetBasicBlock` / nnU-Net's stage of `ConvDropoutNormReLU` × 2, for 2D and 3D:
 * conv-norm-lrelu-conv-norm-lrelu, the first convolution strided to down-sample (nnU-Net down-samples
 * with strided convolutions, not pooling). Leaky ReLU slope 0.01 as nnU-Net.
 * @example const stage = new UnetBasicBlock(3, 32, 64, 2); // [N,32,D,H,W] → [N,64,D/2,H/2,W/2]
 */
import { leakyRelu, type Tensor } from '../../engine/index.js';
import { Conv } from './conv.js';
import { InstanceNorm } from './norm.js';

export class UnetBasicBlock {
  readonly conv1: Conv;
  readonly norm1: InstanceNorm;
  readonly conv2: Conv;
  readonly norm2: InstanceNorm;

  constructor(spatialDims: 2 | 3, inChannels: number, outChannels: number, stride = 1) {
    this.conv1 = new Conv(spatialDims, inChannels, outChannels, 3, { stride, bias: false });
    this.norm1 = new InstanceNorm(outChannels);
    this.conv2 = new Conv(spatialDims, outChannels, outChannels, 3, { bias: false });
    this.norm2 = new InstanceNorm(outChannels);
  }

  forward(x: Tensor): Tensor {
    const h = leakyRelu(this.norm1.forward(this.conv1.forward(x)));
    return leakyRelu(this.norm2.forward(this.conv2.forward(h)));
  }
}
