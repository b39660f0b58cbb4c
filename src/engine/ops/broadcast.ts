/** NumPy broadcasting of two shapes; throws if they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast shapes [${a}] and [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The axes of `full` that were broadcast from `shape` (to be summed in a gradient). */
export function broadcastAxes(shape: readonly number[], full: readonly number[]): number[] {
  const axes: number[] = [];
  const offset = full.length - shape.length;
  for (let i = 0; i < full.length; i++) {
    if (i < offset || (shape[i - offset] === 1 && full[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Axis `axis` (negative counts from the end) as an index in [0, rank). */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank)
    throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}
