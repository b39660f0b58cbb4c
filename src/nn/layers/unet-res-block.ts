/**
 * MONAI's `UnetResBlock(spatial_dims, …)`, one class for 2D and 3D: conv-norm-lrelu-conv-norm plus
 * the input (through a strided 1×1 convolution and norm when the shape changes), then leaky ReLU.
 * Instance norm as nnU-Net (batches of 2–8 patches make batch statistics noisy). Serves the 2D
 * U-Net's encoder and decoder, the 3D U-Net and UNETR.
 * @example const block = new UnetResBlock(3, 16, 32, 2); // [N,16,D,H,W] → [N,32,D/2,H/2,W/2]
 */
import { add, leakyRelu, type Tensor } from '../../engine/index.js';
import { Conv } from './conv.js';
import { InstanceNorm } from './norm.js';

export class UnetResBlock {
  readonly conv1: Conv;
  readonly norm1: InstanceNorm;
  readonly conv2: Conv;
  readonly norm2: InstanceNorm;
  readonly shortcut: Conv | null;
  readonly shortcutNorm: InstanceNorm | null;

  constructor(spatialDims: 2 | 3, inChannels: number, outChannels: number, stride = 1) {
    this.conv1 = new Conv(spatialDims, inChannels, outChannels, 3, { stride, bias: false });
    this.norm1 = new InstanceNorm(outChannels);
    this.conv2 = new Conv(spatialDims, outChannels, outChannels, 3, { bias: false });
    this.norm2 = new InstanceNorm(outChannels);
    const reshaped = stride !== 1 || inChannels !== outChannels;
    this.shortcut = reshaped
      ? new Conv(spatialDims, inChannels, outChannels, 1, { stride, padding: 0, bias: false })
      : null;
    this.shortcutNorm = reshaped ? new InstanceNorm(outChannels) : null;
  }

  forward(x: Tensor): Tensor {
    const h = leakyRelu(this.norm1.forward(this.conv1.forward(x)));
    const y = this.norm2.forward(this.conv2.forward(h));
    const identity =
      this.shortcut && this.shortcutNorm ? this.shortcutNorm.forward(this.shortcut.forward(x)) : x;
    return leakyRelu(add(y, identity));
  }
}
