import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { normalizeAxis } from './broadcast.js';

function resolveAxes(x: Tensor, axes: number | readonly number[] | undefined): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  return [...new Set(list.map((a) => normalizeAxis(a, x.rank)))].sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Repeats x along its size-1 (or missing leading) axes to `shape`. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const y = runKernel1('BroadcastTo', [x], { shape: [...shape] });
  if (needsGrad(x)) {
    recordGrad('broadcastTo', y, [x], (dy) => {
      const lead = shape.length - x.rank;
      const axes = shape
        .map((_, i) => i)
        .filter((i) => i < lead || (x.shape[i - lead] === 1 && shape[i] !== 1));
      const s = runKernel1('Sum', [dy], { axes, keepDims: true });
      const g = runKernel1('Reshape', [s], { shape: [...x.shape] });
      s.dispose();
      return [g];
    });
  }
  return y;
}

/**
 * Sum over `axes` (all axes when omitted).
 * @example sum(x, [2, 3], true) // per-channel sums of an NCHW tensor, shape [N, C, 1, 1]
 */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const list = resolveAxes(x, axes);
  const y = runKernel1('Sum', [x], { axes: list, keepDims });
  if (needsGrad(x)) {
    recordGrad('sum', y, [x], (dy) => {
      const kept = keepDims ? dy : runKernel1('Reshape', [dy], { shape: keptShape(x.shape, list) });
      const g = runKernel1('BroadcastTo', [kept], { shape: [...x.shape] });
      if (kept !== dy) kept.dispose();
      return [g];
    });
  }
  return y;
}

/** Mean over `axes` (all axes when omitted). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const list = resolveAxes(x, axes);
  const count = list.reduce((n, a) => n * x.shape[a]!, 1);
  const s = sum(x, list, keepDims);
  const y = runKernel1('ScaleShift', [s], { scale: 1 / count, shift: 0 });
  if (needsGrad(s))
    recordGrad('mean', y, [s], (dy) => [runKernel1('ScaleShift', [dy], { scale: 1 / count, shift: 0 })]);
  return y;
}

/** Maximum over `axes`; the gradient is shared equally among tied maxima. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const list = resolveAxes(x, axes);
  const y = runKernel1('Max', [x], { axes: list, keepDims });
  if (needsGrad(x)) {
    recordGrad('max', y, [x], (dy) => {
      const shape = keptShape(x.shape, list);
      const yk = keepDims ? y : runKernel1('Reshape', [y], { shape });
      const dyk = keepDims ? dy : runKernel1('Reshape', [dy], { shape });
      const mask = runKernel1('Equal', [x, yk], {});
      const count = runKernel1('Sum', [mask], { axes: list, keepDims: true });
      const share = runKernel1('Div', [dyk, count], {});
      const g = runKernel1('Mul', [mask, share], {});
      for (const t of [mask, count, share]) t.dispose();
      if (yk !== y) yk.dispose();
      if (dyk !== dy) dyk.dispose();
      return [g];
    });
  }
  return y;
}
