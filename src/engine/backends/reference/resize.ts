import type { TensorInfo } from '../../backend.js';
import { registerKernel } from '../../kernel-registry.js';
import { values } from './storage.js';

/**
 * Nearest and (bi/tri)linear resizing with PyTorch's align_corners=False coordinates, written once
 * for up to 3 spatial axes as separable per-axis taps: every output index along an axis reads at
 * most two input indices with weights.
 */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float32Array;
}

function taps(inSize: number, outSize: number, linear: boolean): Taps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float32Array(outSize);
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
    w1[o] = src - lo;
  }
  return { i0, i1, w1 };
}

function spatial3d(shape: readonly number[]): [number, number, number] {
  const s = shape.slice(2);
  while (s.length < 3) s.unshift(1);
  return s as [number, number, number];
}

/** Runs `visit(outOffset, inOffset, weight)` for every (output, input) pair with non-zero weight. */
function forEachTap(
  inShape: readonly number[],
  outShape: readonly number[],
  linear: boolean,
  visit: (o: number, i: number, w: number) => void,
): void {
  const [ID, IH, IW] = spatial3d(inShape);
  const [OD, OH, OW] = spatial3d(outShape);
  const tz = taps(ID, OD, linear);
  const ty = taps(IH, OH, linear);
  const tx = taps(IW, OW, linear);
  const planes = inShape[0]! * inShape[1]!;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * ID * IH * IW;
    for (let z = 0; z < OD; z++) {
      const zs = [tz.i0[z]!, tz.i1[z]!];
      const zw = [1 - tz.w1[z]!, tz.w1[z]!];
      for (let y = 0; y < OH; y++) {
        const ys = [ty.i0[y]!, ty.i1[y]!];
        const yw = [1 - ty.w1[y]!, ty.w1[y]!];
        for (let x = 0; x < OW; x++, o++) {
          const xs = [tx.i0[x]!, tx.i1[x]!];
          const xw = [1 - tx.w1[x]!, tx.w1[x]!];
          for (let a = 0; a < 2; a++) {
            if (zw[a] === 0) continue;
            for (let b = 0; b < 2; b++) {
              if (yw[b] === 0) continue;
              for (let c = 0; c < 2; c++) {
                if (xw[c] === 0) continue;
                visit(o, base + (zs[a]! * IH + ys[b]!) * IW + xs[c]!, zw[a]! * yw[b]! * xw[c]!);
              }
            }
          }
        }
      }
    }
  }
}

function resize(ix: TensorInfo, size: readonly number[], linear: boolean): TensorInfo {
  const x = values(ix);
  const shape = [ix.shape[0]!, ix.shape[1]!, ...size];
  const y = new Float32Array(shape.reduce((p, d) => p * d, 1));
  forEachTap(ix.shape, shape, linear, (o, i, w) => {
    y[o] += w * x[i]!;
  });
  return { shape, storage: y };
}

function resizeGrad(idy: TensorInfo, inputShape: readonly number[], linear: boolean): TensorInfo {
  const dy = values(idy);
  const dx = new Float32Array(inputShape.reduce((p, d) => p * d, 1));
  forEachTap(inputShape, idy.shape, linear, (o, i, w) => {
    dx[i] += w * dy[o]!;
  });
  return { shape: [...inputShape], storage: dx };
}

registerKernel('reference', 'ResizeNearest', ([x], { size }) => resize(x!, size, false));
registerKernel('reference', 'ResizeLinear', ([x], { size }) => resize(x!, size, true));
registerKernel('reference', 'ResizeNearestGrad', ([dy], { inputShape }) =>
  resizeGrad(dy!, inputShape, false),
);
registerKernel('reference', 'ResizeLinearGrad', ([dy], { inputShape }) => resizeGrad(dy!, inputShape, true));
