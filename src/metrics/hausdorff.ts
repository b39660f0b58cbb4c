/**
 * Hausdorff distance and its 95th-percentile variant (HD95), as MONAI's
 * `compute_hausdorff_distance(percentile=95, directed=False)`: the percentile is taken of each
 * directed set of surface distances separately (numpy's linear interpolation), and HD95 is the
 * larger of the two — not the percentile of their union.
 *
 * Edge cases (as MONAI): both masks empty → NaN (nothing to measure); exactly one empty →
 * Infinity (the surface of the other is infinitely far from nothing).
 */
import type { MaskArray } from './distance-transform.js';
import { type SurfaceDistances, surfaceDistances } from './surface.js';

/**
 * The q-th percentile (0…100) of `values` with linear interpolation between order statistics,
 * like numpy.percentile's default; NaN for an empty list. Sorts a copy.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // Infinity − Infinity would be NaN; an infinite neighbour makes the percentile infinite.
  if (lo === hi || a === b) return a;
  return a + (b - a) * (rank - lo);
}

/**
 * Hausdorff distance from precomputed surface distances: the maximum (q = 100) or the q-th
 * percentile of each direction, whichever direction is larger.
 */
export function hausdorffFromDistances(distances: SurfaceDistances, q = 100): number {
  const { predToGt, gtToPred } = distances;
  if (predToGt.length === 0 && gtToPred.length === 0) return Number.NaN;
  // One empty mask: MONAI reports Infinity in both directions.
  if (predToGt.length === 0 || gtToPred.length === 0) return Number.POSITIVE_INFINITY;
  return Math.max(percentile(predToGt, q), percentile(gtToPred, q));
}

/**
 * HD95 in mm between the set voxels of `pred` and `gt` (nonzero, or equal to `label`) on a grid
 * with `dims` and `spacing`.
 *
 * @example
 * hausdorff95(predLabels, gtLabels, volume.dims, volume.spacing, 6);
 */
export function hausdorff95(
  pred: MaskArray,
  gt: MaskArray,
  dims: readonly number[],
  spacing: readonly number[],
  label?: number,
): number {
  return hausdorffFromDistances(surfaceDistances(pred, gt, dims, spacing, label), 95);
}

/** The classic (maximum) Hausdorff distance in mm; same edge cases as `hausdorff95`. */
export function hausdorffDistance(
  pred: MaskArray,
  gt: MaskArray,
  dims: readonly number[],
  spacing: readonly number[],
  label?: number,
): number {
  return hausdorffFromDistances(surfaceDistances(pred, gt, dims, spacing, label), 100);
}
