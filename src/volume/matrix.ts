/** Small dense-matrix helpers for 3×3 and 4×4 geometry (affines are rows of numbers). */
import type { Matrix4 } from './volume.js';

/** a·b for 4×4 matrices. */
export function multiply4(a: Matrix4, b: Matrix4): Matrix4 {
  return [0, 1, 2, 3].map((i) =>
    [0, 1, 2, 3].map(
      (j) => a[i]![0]! * b[0]![j]! + a[i]![1]! * b[1]![j]! + a[i]![2]! * b[2]![j]! + a[i]![3]! * b[3]![j]!,
    ),
  );
}

/** Inverse of an affine 4×4 (last row 0 0 0 1); throws on a singular 3×3 part. */
export function invertAffine(m: Matrix4): Matrix4 {
  const inv3 = invert3([0, 1, 2].map((i) => [m[i]![0]!, m[i]![1]!, m[i]![2]!]));
  const t = [0, 1, 2].map(
    (i) => -(inv3[i]![0]! * m[0]![3]! + inv3[i]![1]! * m[1]![3]! + inv3[i]![2]! * m[2]![3]!),
  );
  return [
    [...inv3[0]!, t[0]!],
    [...inv3[1]!, t[1]!],
    [...inv3[2]!, t[2]!],
    [0, 0, 0, 1],
  ];
}

/** Determinant of a 3×3 matrix. */
export function determinant3(r: number[][]): number {
  return (
    r[0]![0]! * (r[1]![1]! * r[2]![2]! - r[1]![2]! * r[2]![1]!) -
    r[0]![1]! * (r[1]![0]! * r[2]![2]! - r[1]![2]! * r[2]![0]!) +
    r[0]![2]! * (r[1]![0]! * r[2]![1]! - r[1]![1]! * r[2]![0]!)
  );
}

/** Inverse of a 3×3 matrix by cofactors; throws when singular. */
export function invert3(r: number[][]): number[][] {
  const det = determinant3(r);
  if (det === 0 || !Number.isFinite(det)) throw new Error('singular 3×3 matrix (degenerate affine)');
  const a = (i: number, j: number) => r[i]![j]!;
  return [
    [
      (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) / det,
      (a(0, 2) * a(2, 1) - a(0, 1) * a(2, 2)) / det,
      (a(0, 1) * a(1, 2) - a(0, 2) * a(1, 1)) / det,
    ],
    [
      (a(1, 2) * a(2, 0) - a(1, 0) * a(2, 2)) / det,
      (a(0, 0) * a(2, 2) - a(0, 2) * a(2, 0)) / det,
      (a(0, 2) * a(1, 0) - a(0, 0) * a(1, 2)) / det,
    ],
    [
      (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0)) / det,
      (a(0, 1) * a(2, 0) - a(0, 0) * a(2, 1)) / det,
      (a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0)) / det,
    ],
  ];
}

/**
 * The orthogonal matrix nearest to `r` (its polar factor, = U·Vᵀ of the SVD), by Newton's iteration
 * X ← (X + X⁻ᵀ)/2, which converges quadratically for any non-singular start.
 */
export function nearestRotation(r: number[][]): number[][] {
  let x = r.map((row) => [...row]);
  for (let iteration = 0; iteration < 100; iteration++) {
    const inv = invert3(x);
    const next = x.map((row, i) => row.map((v, j) => (v + inv[j]![i]!) / 2));
    let change = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) change = Math.max(change, Math.abs(next[i]![j]! - x[i]![j]!));
    x = next;
    if (change < 1e-15) break;
  }
  return x;
}
