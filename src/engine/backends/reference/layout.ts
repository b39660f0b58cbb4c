/** Index arithmetic shared by the reference kernels (row-major, strides in elements). */

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Walks every row (all axes but the last) of `shape` and returns, for each strides set, the offset
 * of each row's first element. Kernels then run a plain loop along the last axis, so the per-element
 * cost of arbitrary strides (broadcasting, permutation, slicing) is one multiply-add.
 */
export function rowOffsets(
  shape: readonly number[],
  stridesSets: readonly (readonly number[])[],
): Int32Array[] {
  const rank = shape.length;
  const outer = rank <= 1 ? 1 : sizeOf(shape.slice(0, rank - 1));
  const result = stridesSets.map(() => new Int32Array(outer));
  if (rank <= 1) return result;
  const index = new Array<number>(rank - 1).fill(0);
  const offsets = stridesSets.map(() => 0);
  for (let row = 0; row < outer; row++) {
    for (let s = 0; s < stridesSets.length; s++) result[s]![row] = offsets[s]!;
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]!++;
      for (let s = 0; s < stridesSets.length; s++) offsets[s]! += stridesSets[s]![axis]!;
      if (index[axis]! < shape[axis]!) break;
      for (let s = 0; s < stridesSets.length; s++) offsets[s]! -= stridesSets[s]![axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return result;
}

/** Strides of `shape` as seen from a broadcast `outShape` (0 along broadcast axes). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? 0 : own[i - lead]!));
}
