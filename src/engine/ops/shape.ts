import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel, runKernel1 } from '../dispatch.js';
import { sameShape, shapeSize, type Tensor } from '../tensor.js';
import { normalizeAxis } from './broadcast.js';

/** Same values, new shape; one entry may be -1 (inferred). Returns `x` itself if the shape is unchanged. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveShape(shape, x.size);
  if (sameShape(resolved, x.shape)) return x;
  const y = runKernel1('Reshape', [x], { shape: resolved });
  if (needsGrad(x))
    recordGrad('reshape', y, [x], (dy) => [runKernel1('Reshape', [dy], { shape: [...x.shape] })]);
  return y;
}

function resolveShape(shape: readonly number[], size: number): number[] {
  const out = [...shape];
  const inferred = out.indexOf(-1);
  if (inferred >= 0) {
    const known = out.reduce((n, d, i) => (i === inferred ? n : n * d), 1);
    out[inferred] = known === 0 ? 0 : size / known;
  }
  if (shapeSize(out) !== size || out.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`cannot reshape ${size} values to [${shape}]`);
  }
  return out;
}

/** Collapses axes startAxis..end into one. */
export function flatten(x: Tensor, startAxis = 1): Tensor {
  const a = normalizeAxis(startAxis, x.rank);
  return reshape(x, [...x.shape.slice(0, a), -1]);
}

/** Inserts a size-1 axis at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes size-1 axis `axis`. */
export function squeeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.rank);
  if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${axis} has size ${x.shape[a]}`);
  return reshape(x, [...x.shape.slice(0, a), ...x.shape.slice(a + 1)]);
}

/** Reorders axes: output axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normalizeAxis(a, x.rank));
  if (p.length !== x.rank || new Set(p).size !== p.length)
    throw new Error(`permute: bad permutation [${perm}]`);
  if (p.every((a, i) => a === i)) return x;
  const y = runKernel1('Permute', [x], { perm: p });
  if (needsGrad(x)) {
    const inverse = new Array<number>(p.length);
    p.forEach((a, i) => {
      inverse[a] = i;
    });
    recordGrad('permute', y, [x], (dy) => [runKernel1('Permute', [dy], { perm: inverse })]);
  }
  return y;
}

/** Swaps two axes (default: the last two). */
export function transpose(x: Tensor, axisA = -2, axisB = -1): Tensor {
  const perm = x.shape.map((_, i) => i);
  const a = normalizeAxis(axisA, x.rank);
  const b = normalizeAxis(axisB, x.rank);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Joins tensors along `axis`; the other axes must agree. */
export function concat(tensors: readonly Tensor[], axis: number): Tensor {
  if (tensors.length === 0) throw new Error('concat: no tensors');
  const first = tensors[0]!;
  const a = normalizeAxis(axis, first.rank);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: shapes [${first.shape}] and [${t.shape}] differ off axis ${a}`);
    }
  }
  if (tensors.length === 1) return first;
  const y = runKernel1('Concat', tensors, { axis: a });
  if (needsGrad(...tensors)) {
    recordGrad('concat', y, tensors, (dy) => {
      let offset = 0;
      return tensors.map((t) => {
        const begin = dy.shape.map((_, i) => (i === a ? offset : 0));
        offset += t.shape[a]!;
        return t.requiresGrad ? runKernel1('Slice', [dy], { begin, size: [...t.shape] }) : null;
      });
    });
  }
  return y;
}

/**
 * The block starting at `begin` with extent `size` (-1: to the end of the axis).
 * @example slice(x, [0, 2], [-1, 3]) // columns 2..4 of a matrix
 */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const b = x.shape.map((_, i) => begin[i] ?? 0);
  const s = x.shape.map((d, i) => {
    const want = size[i] ?? -1;
    return want < 0 ? d - b[i]! : want;
  });
  if (b.some((v, i) => v < 0 || v + s[i]! > x.shape[i]!)) {
    throw new Error(`slice: begin [${begin}] size [${size}] outside shape [${x.shape}]`);
  }
  if (sameShape(s, x.shape)) return x;
  const y = runKernel1('Slice', [x], { begin: b, size: s });
  if (needsGrad(x)) {
    const padding = x.shape.map((d, i): [number, number] => [b[i]!, d - b[i]! - s[i]!]);
    recordGrad('slice', y, [x], (dy) => [runKernel1('Pad', [dy], { padding, value: 0 })]);
  }
  return y;
}

/** Splits `x` along `axis` into pieces of the given sizes. */
export function split(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
  const a = normalizeAxis(axis, x.rank);
  let offset = 0;
  return sizes.map((n) => {
    const begin = x.shape.map((_, i) => (i === a ? offset : 0));
    const size = x.shape.map((d, i) => (i === a ? n : d));
    offset += n;
    return slice(x, begin, size);
  });
}

/**
 * Pads with a constant; `padding[i]` = [before, after] for axis i (missing leading axes: none).
 * @example pad(x, [[0, 0], [0, 0], [1, 1], [2, 2]]) // NCHW: 1 row above/below, 2 columns left/right
 */
export function pad(x: Tensor, padding: readonly (readonly [number, number])[], value = 0): Tensor {
  const lead = x.rank - padding.length;
  if (lead < 0) throw new Error(`pad: ${padding.length} axes given for rank ${x.rank}`);
  const full = x.shape.map((_, i): [number, number] => {
    const p = i < lead ? [0, 0] : padding[i - lead]!;
    return [p[0], p[1]];
  });
  if (full.some(([a, b]) => a < 0 || b < 0)) throw new Error('pad: negative padding');
  if (full.every(([a, b]) => a === 0 && b === 0)) return x;
  const y = runKernel1('Pad', [x], { padding: full, value });
  if (needsGrad(x)) {
    recordGrad('pad', y, [x], (dy) => [
      runKernel1('Slice', [dy], { begin: full.map(([a]) => a), size: [...x.shape] }),
    ]);
  }
  return y;
}

/** An independent copy of `x` (same values, own storage). */
export function clone(x: Tensor): Tensor {
  const [y] = runKernel('ScaleShift', [x], { scale: 1, shift: 0 });
  if (needsGrad(x))
    recordGrad('clone', y!, [x], (dy) => [runKernel1('ScaleShift', [dy], { scale: 1, shift: 0 })]);
  return y!;
}
