import type { TensorInfo } from '../../backend.js';
import { registerKernel } from '../../kernel-registry.js';
import { values } from './storage.js';

/**
 * Nearest and (bi/tri)linear resizing with PyTorch's align_corners=False coordinates, written once
 * for up to 3 spatial axes. The interpolation is separable, so it runs as one pass per axis (W, then
 * H, then D; the gradient is the transposed passes in reverse order): every output index along an
 * axis reads at most two input indices with weights. Passes accumulate in float64, so the result
 * is the trilinear sum rounded once.
 */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float64Array;
}

function taps(inSize: number, outSize: number, linear: boolean): Taps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    if (!linear) {
      const i = Math.min(Math.floor(o * scale), inSize - 1);
      i0[o] = i;
      i1[o] = i;
      continue;
    }
    const src = Math.max((o + 0.5) * scale - 0.5, 0);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = lo < inSize - 1 ? lo + 1 : lo;
    // Float32 weights, as PyTorch's float kernels use.
    w1[o] = Math.fround(src - lo);
  }
  return { i0, i1, w1 };
}

function spatial3d(shape: readonly number[]): [number, number, number] {
  const s = shape.slice(2);
  while (s.length < 3) s.unshift(1);
  return s as [number, number, number];
}

type Values = Float32Array | Float64Array;

/** One axis of a [outer, inLen, inner] array resized to [outer, t.i0.length, inner]. */
function resizeAxis(src: Values, outer: number, inLen: number, inner: number, t: Taps): Float64Array {
  const outLen = t.i0.length;
  const dst = new Float64Array(outer * outLen * inner);
  for (let p = 0; p < outer; p++) {
    const sBase = p * inLen * inner;
    const dBase = p * outLen * inner;
    for (let j = 0; j < outLen; j++) {
      const w1 = t.w1[j]!;
      const w0 = 1 - w1;
      const a = sBase + t.i0[j]! * inner;
      const b = sBase + t.i1[j]! * inner;
      const d = dBase + j * inner;
      // Zero weights are skipped (not multiplied), so infinities stay local as in direct taps.
      if (w1 === 0) for (let k = 0; k < inner; k++) dst[d + k] = src[a + k]!;
      else for (let k = 0; k < inner; k++) dst[d + k] = w0 * src[a + k]! + w1 * src[b + k]!;
    }
  }
  return dst;
}

/** The transpose of `resizeAxis`: [outer, outLen, inner] gradients summed back to [outer, inLen, inner]. */
function resizeAxisGrad(src: Values, outer: number, inLen: number, inner: number, t: Taps): Float64Array {
  const outLen = t.i0.length;
  const dst = new Float64Array(outer * inLen * inner);
  for (let p = 0; p < outer; p++) {
    const sBase = p * outLen * inner;
    const dBase = p * inLen * inner;
    for (let j = 0; j < outLen; j++) {
      const w1 = t.w1[j]!;
      const w0 = 1 - w1;
      const s = sBase + j * inner;
      const a = dBase + t.i0[j]! * inner;
      const b = dBase + t.i1[j]! * inner;
      if (w1 === 0) for (let k = 0; k < inner; k++) dst[a + k]! += src[s + k]!;
      else
        for (let k = 0; k < inner; k++) {
          dst[a + k]! += w0 * src[s + k]!;
          dst[b + k]! += w1 * src[s + k]!;
        }
    }
  }
  return dst;
}

function resize(ix: TensorInfo, size: readonly number[], linear: boolean): TensorInfo {
  const [ID, IH, IW] = spatial3d(ix.shape);
  const shape = [ix.shape[0]!, ix.shape[1]!, ...size];
  const [OD, OH, OW] = spatial3d(shape);
  const planes = ix.shape[0]! * ix.shape[1]!;
  // An axis whose size does not change has identity taps and is skipped.
  let v: Values = values(ix);
  if (IW !== OW) v = resizeAxis(v, planes * ID * IH, IW, 1, taps(IW, OW, linear));
  if (IH !== OH) v = resizeAxis(v, planes * ID, IH, OW, taps(IH, OH, linear));
  if (ID !== OD) v = resizeAxis(v, planes, ID, OH * OW, taps(ID, OD, linear));
  return { shape, storage: Float32Array.from(v) };
}

function resizeGrad(idy: TensorInfo, inputShape: readonly number[], linear: boolean): TensorInfo {
  const [ID, IH, IW] = spatial3d(inputShape);
  const [OD, OH, OW] = spatial3d(idy.shape);
  const planes = inputShape[0]! * inputShape[1]!;
  let v: Values = values(idy);
  if (ID !== OD) v = resizeAxisGrad(v, planes, ID, OH * OW, taps(ID, OD, linear));
  if (IH !== OH) v = resizeAxisGrad(v, planes * ID, IH, OW, taps(IH, OH, linear));
  if (IW !== OW) v = resizeAxisGrad(v, planes * ID * IH, IW, 1, taps(IW, OW, linear));
  return { shape: [...inputShape], storage: Float32Array.from(v) };
}

registerKernel('reference', 'ResizeNearest', ([x], { size }) => resize(x!, size, false));
registerKernel('reference', 'ResizeLinear', ([x], { size }) => resize(x!, size, true));
registerKernel('reference', 'ResizeNearestGrad', ([dy], { inputShape }) =>
  resizeGrad(dy!, inputShape, false),
);
registerKernel('reference', 'ResizeLinearGrad', ([dy], { inputShape }) => resizeGrad(dy!, inputShape, true));
