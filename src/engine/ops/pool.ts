import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { PoolAttrs } from '../kernel-names.js';
import type { Tensor } from '../tensor.js';
import { spatialList } from './conv.js';

export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: number | readonly number[];
  padding?: number | readonly number[];
}

function poolAttrs(
  x: Tensor,
  n: number,
  kernelSize: number | readonly number[],
  options: PoolOptions,
): PoolAttrs {
  if (x.rank !== n + 2) throw new Error(`${n}D pooling needs rank ${n + 2}, got [${x.shape}]`);
  const k = spatialList(kernelSize, 1, n);
  const attrs = {
    kernelSize: k,
    stride: spatialList(options.stride, 0, n).map((s, i) => s || k[i]!),
    padding: spatialList(options.padding, 0, n),
  };
  attrs.padding.forEach((p, i) => {
    if (p > k[i]! / 2) throw new Error(`pooling padding ${p} exceeds half the kernel ${k[i]}`);
  });
  return attrs;
}

function pool(
  kind: 'max' | 'avg',
  n: number,
  x: Tensor,
  kernelSize: number | readonly number[],
  options: PoolOptions,
): Tensor {
  const attrs = poolAttrs(x, n, kernelSize, options);
  const y = runKernel1(kind === 'max' ? 'MaxPool' : 'AvgPool', [x], attrs);
  if (needsGrad(x)) {
    const gradAttrs = { ...attrs, inputShape: [...x.shape] };
    recordGrad(`${kind}Pool${n}d`, y, [x], (dy) => [
      kind === 'max'
        ? runKernel1('MaxPoolGrad', [dy, x], gradAttrs)
        : runKernel1('AvgPoolGrad', [dy, x], gradAttrs),
    ]);
  }
  return y;
}

/** 2D max pooling over N, C, H, W (padding counts as -Infinity). */
export function maxPool2d(
  x: Tensor,
  kernelSize: number | readonly number[],
  options: PoolOptions = {},
): Tensor {
  return pool('max', 2, x, kernelSize, options);
}

export function maxPool3d(
  x: Tensor,
  kernelSize: number | readonly number[],
  options: PoolOptions = {},
): Tensor {
  return pool('max', 3, x, kernelSize, options);
}

/** 2D average pooling; padded cells count in the divisor (PyTorch's count_include_pad=True). */
export function avgPool2d(
  x: Tensor,
  kernelSize: number | readonly number[],
  options: PoolOptions = {},
): Tensor {
  return pool('avg', 2, x, kernelSize, options);
}

export function avgPool3d(
  x: Tensor,
  kernelSize: number | readonly number[],
  options: PoolOptions = {},
): Tensor {
  return pool('avg', 3, x, kernelSize, options);
}
