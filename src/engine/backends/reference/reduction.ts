import type { TensorInfo } from '../../backend.js';
import { registerKernel } from '../../kernel-registry.js';
import { rowOffsets, sizeOf, stridesOf } from './layout.js';
import { values } from './storage.js';

/** Sum or max over `axes`, accumulating sums in float64. */
function reduce(ix: TensorInfo, axes: readonly number[], keepDims: boolean, kind: 'sum' | 'max'): TensorInfo {
  const x = values(ix);
  const shape = ix.shape.length === 0 ? [1] : ix.shape;
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outStrides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const acc = new Float64Array(sizeOf(kept)).fill(kind === 'sum' ? 0 : -Infinity);
  const [ox] = rowOffsets(shape, [outStrides]);
  const n = shape[shape.length - 1]!;
  const l = outStrides[outStrides.length - 1]!;
  for (let row = 0; row < ox!.length; row++) {
    let p = ox![row]!;
    const base = row * n;
    if (kind === 'sum') {
      if (l === 0) {
        let s = 0;
        for (let j = 0; j < n; j++) s += x[base + j]!;
        acc[p]! += s;
      } else for (let j = 0; j < n; j++, p += l) acc[p]! += x[base + j]!;
    } else {
      for (let j = 0; j < n; j++, p += l) {
        const v = x[base + j]!;
        if (v > acc[p]! || Number.isNaN(v)) acc[p] = v;
      }
    }
  }
  const outShape = keepDims
    ? ix.shape.length === 0
      ? []
      : kept
    : ix.shape.filter((_, i) => !axes.includes(i));
  return { shape: outShape, storage: Float32Array.from(acc) };
}

registerKernel('reference', 'Sum', ([x], { axes, keepDims }) => reduce(x!, axes, keepDims, 'sum'));
registerKernel('reference', 'Max', ([x], { axes, keepDims }) => reduce(x!, axes, keepDims, 'max'));

/** Softmax or log-softmax along `axis`, shifted by the maximum for stability. */
function softmaxAlong(ix: TensorInfo, axis: number, log: boolean): TensorInfo {
  const x = values(ix);
  const n = ix.shape[axis]!;
  const inner = sizeOf(ix.shape.slice(axis + 1));
  const outer = sizeOf(ix.shape.slice(0, axis));
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, x[base + j * inner]!);
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(x[base + j * inner]! - m);
      if (log) {
        const logS = Math.log(s) + m;
        for (let j = 0; j < n; j++) out[base + j * inner] = x[base + j * inner]! - logS;
      } else {
        for (let j = 0; j < n; j++) out[base + j * inner] = Math.exp(x[base + j * inner]! - m) / s;
      }
    }
  }
  return { shape: ix.shape, storage: out };
}

registerKernel('reference', 'Softmax', ([x], { axis }) => softmaxAlong(x!, axis, false));
registerKernel('reference', 'LogSoftmax', ([x], { axis }) => softmaxAlong(x!, axis, true));

/** Gradient of softmax (dx = y (dy − Σ dy y)) or log-softmax (dx = dy − exp(y) Σ dy) along `axis`. */
function softmaxGradAlong(idy: TensorInfo, iy: TensorInfo, axis: number, log: boolean): TensorInfo {
  const dy = values(idy);
  const y = values(iy);
  const n = iy.shape[axis]!;
  const inner = sizeOf(iy.shape.slice(axis + 1));
  const outer = sizeOf(iy.shape.slice(0, axis));
  const dx = new Float32Array(y.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      if (log) {
        for (let j = 0; j < n; j++) s += dy[base + j * inner]!;
        for (let j = 0; j < n; j++) {
          const k = base + j * inner;
          dx[k] = dy[k]! - Math.exp(y[k]!) * s;
        }
      } else {
        for (let j = 0; j < n; j++) s += dy[base + j * inner]! * y[base + j * inner]!;
        for (let j = 0; j < n; j++) {
          const k = base + j * inner;
          dx[k] = y[k]! * (dy[k]! - s);
        }
      }
    }
  }
  return { shape: iy.shape, storage: dx };
}

registerKernel('reference', 'SoftmaxGrad', ([dy, y], { axis }) => softmaxGradAlong(dy!, y!, axis, false));
registerKernel('reference', 'LogSoftmaxGrad', ([dy, y], { axis }) => softmaxGradAlong(dy!, y!, axis, true));
