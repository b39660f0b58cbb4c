/**
 * Normalised surface Dice (NSD, Nikolov et al. 2021) as MONAI's `compute_surface_dice` with
 * `use_subvoxels=False`: the fraction of surface voxels of both masks that lie within `tolerance`
 * mm of the other mask's surface,
 *   (|{p ∈ ∂P : d(p, ∂G) ≤ τ}| + |{g ∈ ∂G : d(g, ∂P) ≤ τ}|) / (|∂P| + |∂G|).
 *
 * Edge cases (as MONAI): both empty → NaN; exactly one empty → 0.
 */
import type { MaskArray } from './distance-transform.js';
import { type SurfaceDistances, surfaceDistances } from './surface.js';

/** NSD at `tolerance` mm from precomputed surface distances. */
export function surfaceDiceFromDistances(distances: SurfaceDistances, tolerance: number): number {
  const { predToGt, gtToPred } = distances;
  const total = predToGt.length + gtToPred.length;
  if (total === 0) return Number.NaN;
  let within = 0;
  for (let i = 0; i < predToGt.length; i++) if (predToGt[i]! <= tolerance) within++;
  for (let i = 0; i < gtToPred.length; i++) if (gtToPred[i]! <= tolerance) within++;
  return within / total;
}

/**
 * NSD between the set voxels of `pred` and `gt` (nonzero, or equal to `label`) at `tolerance` mm
 * (default 1 mm).
 *
 * @example
 * normalizedSurfaceDice(predLabels, gtLabels, volume.dims, volume.spacing, 2, 6);
 */
export function normalizedSurfaceDice(
  pred: MaskArray,
  gt: MaskArray,
  dims: readonly number[],
  spacing: readonly number[],
  tolerance = 1,
  label?: number,
): number {
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0 mm, got ${tolerance}`);
  return surfaceDiceFromDistances(surfaceDistances(pred, gt, dims, spacing, label), tolerance);
}
