import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';

export type InterpolationMode = 'nearest' | 'linear';

/**
 * Resizes the spatial axes of an N, C, (D,) H, W tensor to `size`. 'linear' is bilinear in 2D and
 * trilinear in 3D with align_corners=False; 'nearest' picks floor(out * in / size), both as PyTorch's
 * F.interpolate(size=...).
 */
export function interpolate(x: Tensor, size: readonly number[], mode: InterpolationMode = 'nearest'): Tensor {
  const n = x.rank - 2;
  if (n < 1 || n > 3 || size.length !== n)
    throw new Error(`interpolate: size [${size}] does not fit input [${x.shape}]`);
  if (size.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`interpolate: bad size [${size}]`);
  const y = runKernel1(mode === 'nearest' ? 'ResizeNearest' : 'ResizeLinear', [x], { size: [...size] });
  if (needsGrad(x)) {
    const inputShape = [...x.shape];
    recordGrad(`interpolate:${mode}`, y, [x], (dy) => [
      runKernel1(mode === 'nearest' ? 'ResizeNearestGrad' : 'ResizeLinearGrad', [dy], { inputShape }),
    ]);
  }
  return y;
}

/** Up-samples every spatial axis by an integer `factor`. */
export function upsample(x: Tensor, factor: number, mode: InterpolationMode = 'nearest'): Tensor {
  return interpolate(
    x,
    x.shape.slice(2).map((d) => d * factor),
    mode,
  );
}
