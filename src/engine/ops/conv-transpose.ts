import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { addChannelBias, type ConvOptions, convAttrs, spatialList } from './conv.js';

export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added to one side of each output axis, to pick among the sizes a stride allows. */
  outputPadding?: number | readonly number[];
}

function convTransposeNd(
  n: 2 | 3,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvTransposeOptions,
): Tensor {
  const name = n === 2 ? 'convTranspose2d' : 'convTranspose3d';
  if (x.rank !== n + 2 || weight.rank !== n + 2) {
    throw new Error(`${name}: input [${x.shape}] and weight [${weight.shape}] must have rank ${n + 2}`);
  }
  if (x.shape[1] !== weight.shape[0]) {
    throw new Error(
      `${name}: input has ${x.shape[1]} channels, weight [Cin, Cout, ...] expects ${weight.shape[0]}`,
    );
  }
  const attrs = convAttrs(options, n);
  const outputPadding = spatialList(options.outputPadding, 0, n);
  const outShape = [x.shape[0]!, weight.shape[1]!];
  for (let i = 0; i < n; i++) {
    const size =
      (x.shape[i + 2]! - 1) * attrs.stride[i]! -
      2 * attrs.padding[i]! +
      attrs.dilation[i]! * (weight.shape[i + 2]! - 1) +
      outputPadding[i]! +
      1;
    if (outputPadding[i]! >= Math.max(attrs.stride[i]!, attrs.dilation[i]!)) {
      throw new Error(`${name}: outputPadding must be smaller than stride or dilation`);
    }
    outShape.push(size);
  }
  // A transposed convolution is the input-gradient of the convolution with the same weight.
  const y = runKernel1(n === 2 ? 'Conv2DBackpropInput' : 'Conv3DBackpropInput', [x, weight], {
    ...attrs,
    inputShape: outShape,
  });
  if (needsGrad(x, weight)) {
    recordGrad(name, y, [x, weight], (dy) => [
      x.requiresGrad ? runKernel1(n === 2 ? 'Conv2D' : 'Conv3D', [dy, weight], attrs) : null,
      weight.requiresGrad
        ? runKernel1(n === 2 ? 'Conv2DBackpropFilter' : 'Conv3DBackpropFilter', [dy, x], {
            ...attrs,
            filterShape: [...weight.shape],
          })
        : null,
    ]);
  }
  return bias ? addChannelBias(y, bias) : y;
}

/**
 * 2D transposed convolution (PyTorch's ConvTranspose2d): x [N, Cin, H, W], weight [Cin, Cout, kH, kW].
 * @example convTranspose2d(x, w, b, { stride: 2 }) // with a 2x2 kernel: exact 2x up-sampling
 */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTransposeOptions = {},
): Tensor {
  return convTransposeNd(2, x, weight, bias, options);
}

/** 3D transposed convolution: x [N, Cin, D, H, W], weight [Cin, Cout, kD, kH, kW]. */
export function convTranspose3d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTransposeOptions = {},
): Tensor {
  return convTransposeNd(3, x, weight, bias, options);
}
