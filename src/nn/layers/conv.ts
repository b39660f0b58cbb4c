import {
  conv2d,
  conv3d,
  convTranspose2d,
  convTranspose3d,
  type Parameter,
  type Tensor,
} from '../../engine/index.js';
import { kaimingUniformParameter } from '../init.js';

export interface ConvLayerOptions {
  stride?: number;
  /** Symmetric padding; default kernelSize >> 1 ("same" for odd kernels at stride 1). */
  padding?: number;
  bias?: boolean;
}

/** nn.Conv2d / nn.Conv3d: weight [Cout, Cin, k…], bias [Cout], PyTorch initialisation. */
export class Conv {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly spatialDims: 2 | 3,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: ConvLayerOptions = {},
  ) {
    const fanIn = inChannels * kernelSize ** spatialDims;
    const kernel = new Array<number>(spatialDims).fill(kernelSize);
    this.weight = kaimingUniformParameter([outChannels, inChannels, ...kernel], fanIn);
    this.bias = options.bias === false ? null : kaimingUniformParameter([outChannels], fanIn);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? kernelSize >> 1;
  }

  forward(x: Tensor): Tensor {
    const op = this.spatialDims === 2 ? conv2d : conv3d;
    return op(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}

/** nn.ConvTranspose2d / 3d: weight [Cin, Cout, k…]; kernel = stride = 2 doubles the size exactly. */
export class ConvTranspose {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;

  constructor(
    readonly spatialDims: 2 | 3,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: { stride?: number; bias?: boolean } = {},
  ) {
    // PyTorch computes fan_in of a transposed conv from weight dim 1 (Cout) × kernel.
    const fanIn = outChannels * kernelSize ** spatialDims;
    const kernel = new Array<number>(spatialDims).fill(kernelSize);
    this.weight = kaimingUniformParameter([inChannels, outChannels, ...kernel], fanIn);
    this.bias = options.bias === false ? null : kaimingUniformParameter([outChannels], fanIn);
    this.stride = options.stride ?? kernelSize;
  }

  forward(x: Tensor): Tensor {
    const op = this.spatialDims === 2 ? convTranspose2d : convTranspose3d;
    return op(x, this.weight, this.bias, { stride: this.stride });
  }
}
