import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { ConvAttrs } from '../kernel-names.js';
import type { Tensor } from '../tensor.js';
import { add } from './arithmetic.js';
import { reshape } from './shape.js';

/** Stride, padding and dilation: one number for every spatial axis, or one per axis. */
export interface ConvOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  dilation?: number | readonly number[];
}

export function spatialList(
  value: number | readonly number[] | undefined,
  fallback: number,
  n: number,
): number[] {
  if (value === undefined) return new Array<number>(n).fill(fallback);
  if (typeof value === 'number') return new Array<number>(n).fill(value);
  if (value.length !== n) throw new Error(`expected ${n} spatial values, got [${value}]`);
  return [...value];
}

export function convAttrs(options: ConvOptions, n: number): ConvAttrs {
  return {
    stride: spatialList(options.stride, 1, n),
    padding: spatialList(options.padding, 0, n),
    dilation: spatialList(options.dilation, 1, n),
  };
}

/** Output size of a convolution along one axis. */
export function convOutputSize(
  input: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
): number {
  return Math.floor((input + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Adds a per-channel bias [C] to an N, C, ... tensor. */
export function addChannelBias(y: Tensor, bias: Tensor): Tensor {
  const shape = y.shape.map((d, i) => (i === 1 ? d : 1));
  return add(y, reshape(bias, shape));
}

function convNd(
  n: 2 | 3,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvOptions,
): Tensor {
  const name = n === 2 ? 'conv2d' : 'conv3d';
  if (x.rank !== n + 2 || weight.rank !== n + 2) {
    throw new Error(`${name}: input [${x.shape}] and weight [${weight.shape}] must have rank ${n + 2}`);
  }
  if (x.shape[1] !== weight.shape[1]) {
    throw new Error(
      `${name}: input has ${x.shape[1]} channels, weight expects ${weight.shape[1]} (groups=1)`,
    );
  }
  const attrs = convAttrs(options, n);
  for (let i = 0; i < n; i++) {
    const out = convOutputSize(
      x.shape[i + 2]!,
      weight.shape[i + 2]!,
      attrs.stride[i]!,
      attrs.padding[i]!,
      attrs.dilation[i]!,
    );
    if (out < 1) throw new Error(`${name}: input [${x.shape}] too small for weight [${weight.shape}]`);
  }
  const forward = n === 2 ? 'Conv2D' : 'Conv3D';
  const backInput = n === 2 ? 'Conv2DBackpropInput' : 'Conv3DBackpropInput';
  const backFilter = n === 2 ? 'Conv2DBackpropFilter' : 'Conv3DBackpropFilter';
  const y = runKernel1(forward, [x, weight], attrs);
  if (needsGrad(x, weight)) {
    recordGrad(name, y, [x, weight], (dy) => [
      x.requiresGrad ? runKernel1(backInput, [dy, weight], { ...attrs, inputShape: [...x.shape] }) : null,
      weight.requiresGrad
        ? runKernel1(backFilter, [x, dy], { ...attrs, filterShape: [...weight.shape] })
        : null,
    ]);
  }
  return bias ? addChannelBias(y, bias) : y;
}

/**
 * 2D convolution (cross-correlation, as PyTorch): x [N, Cin, H, W], weight [Cout, Cin, kH, kW],
 * bias [Cout].
 * @example conv2d(x, w, b, { padding: 1 }) // 3x3 'same' convolution
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  return convNd(2, x, weight, bias, options);
}

/** 3D convolution: x [N, Cin, D, H, W], weight [Cout, Cin, kD, kH, kW], bias [Cout]. */
export function conv3d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  return convNd(3, x, weight, bias, options);
}
