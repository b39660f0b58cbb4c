/**
 * Per-organ evaluation of one predicted label map against its ground truth: Dice, HD95 and
 * normalised surface Dice, with MONAI's definitions and edge cases (see dice.ts, hausdorff.ts,
 * surface-dice.ts); an organ absent from the truth is scored only by its false-positive volume. One pass over the voxels counts every class and finds its bounding box; the
 * surface metrics then work inside each class's box only, so a 512×512×300 pair with 13 organs
 * costs a few seconds, not minutes.
 */
import { fileError } from '../errors.js';
import { channelCount, type Volume } from '../volume/volume.js';
import { diceFromCounts } from './dice.js';
import { hausdorffFromDistances } from './hausdorff.js';
import { type Box, boxDims, cropMask, dims3, padBox, surfaceDistancesOfMasks } from './surface.js';
import { surfaceDiceFromDistances } from './surface-dice.js';

export interface EvaluateOptions {
  /** NSD tolerance in mm (default 1). */
  tolerance?: number;
  /** Hausdorff percentile (default 95). */
  percentile?: number;
  /** Names for label values (e.g. { 6: 'liver' }); unnamed labels are called by their value. */
  labelNames?: Record<number, string>;
}

/** The metrics of one organ (label value) in one case. */
export interface OrganMetrics {
  label: number;
  name: string;
  /** NaN when the organ is absent from the ground truth (left out of means, as MONAI); 0 when only the prediction is empty. */
  dice: number;
  /** mm; NaN when the ground truth is empty, Infinity when only the prediction is. */
  hd95: number;
  /** NaN when the ground truth is empty, 0 when only the prediction is. */
  nsd: number;
  predVoxels: number;
  gtVoxels: number;
  /**
   * Predicted volume (mL) of an organ the ground truth lacks: set (possibly 0) only when the ground
   * truth is empty, since that case's Dice is left out and this is what remains to judge.
   */
  falsePositiveMl?: number;
}

/** The volume of one voxel in mL (spacing in mm). */
export function voxelMl(spacing: ArrayLike<number>): number {
  return (spacing[0]! * spacing[1]! * spacing[2]!) / 1000;
}

/** Throws an error naming the prediction when its grid (dims or affine) differs from the truth's. */
export function assertSameGrid(
  pred: Volume,
  gt: Volume,
  predName = 'prediction',
  gtName = 'ground truth',
): void {
  if (channelCount(pred) !== 1) throw fileError(predName, `expected a 3D label map, got dims [${pred.dims}]`);
  if (channelCount(gt) !== 1) throw fileError(gtName, `expected a 3D label map, got dims [${gt.dims}]`);
  const a = dims3(pred.dims);
  const b = dims3(gt.dims);
  if (a.some((d, i) => d !== b[i])) {
    throw fileError(predName, `grid differs from ${gtName}: dims [${a}] vs [${b}]`);
  }
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 4; c++) {
      const x = pred.affine[r]![c]!;
      const y = gt.affine[r]![c]!;
      // NIfTI stores affines as float32, so the same grid written by two tools can differ by ~1e-6.
      if (Math.abs(x - y) > 1e-4 * Math.max(1, Math.abs(x), Math.abs(y))) {
        throw fileError(
          predName,
          `grid differs from ${gtName}: affine[${r}][${c}] is ${x} vs ${y} (resample the prediction to the ground truth's grid)`,
        );
      }
    }
}

/** The distinct nonzero values of a label map, ascending. */
export function labelsPresent(data: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  let last = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // Label maps are long runs of one value; skipping repeats keeps this a cheap scan.
    if (v === last) continue;
    last = v;
    if (v !== 0) seen.add(v);
  }
  return [...seen].sort((x, y) => x - y);
}

interface ClassTally {
  pred: number;
  gt: number;
  both: number;
  box: Box;
}

/** One pass: voxel counts, overlap and union bounding box of every requested label. */
function tallyClasses(pred: ArrayLike<number>, gt: ArrayLike<number>, dims: number[], labels: number[]) {
  const [nx, ny, nz] = dims3(dims);
  const tallies: ClassTally[] = labels.map(() => ({
    pred: 0,
    gt: 0,
    both: 0,
    box: { start: [nx, ny, nz], end: [0, 0, 0] },
  }));
  const index = new Map<number, number>(labels.map((l, i) => [l, i]));
  const grow = (t: ClassTally, x: number, y: number, z: number) => {
    const { start, end } = t.box;
    if (x < start[0]) start[0] = x;
    if (x >= end[0]) end[0] = x + 1;
    if (y < start[1]) start[1] = y;
    if (y >= end[1]) end[1] = y + 1;
    if (z < start[2]) start[2] = z;
    if (z >= end[2]) end[2] = z + 1;
  };
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const p = pred[i]!;
        const g = gt[i]!;
        if (p === 0 && g === 0) continue;
        const ip = p === 0 ? undefined : index.get(p);
        const ig = g === 0 ? undefined : index.get(g);
        if (ip !== undefined) {
          const t = tallies[ip]!;
          t.pred++;
          grow(t, x, y, z);
          if (ip === ig) t.both++;
        }
        if (ig !== undefined) {
          const t = tallies[ig]!;
          t.gt++;
          if (ig !== ip) grow(t, x, y, z);
        }
      }
  return tallies;
}

/**
 * Dice, HD95 and NSD for each of `labels` between `pred` and `gt`, which must share one grid.
 *
 * @example
 * const organs = evaluateCase(pred, gt, [1, 2, 3], { tolerance: 2, labelNames: { 1: 'spleen' } });
 */
export function evaluateCase(
  pred: Volume,
  gt: Volume,
  labels: number[],
  options: EvaluateOptions = {},
): OrganMetrics[] {
  assertSameGrid(pred, gt, pred.source?.path, gt.source?.path);
  const tolerance = options.tolerance ?? 1;
  const q = options.percentile ?? 95;
  const tallies = tallyClasses(pred.data, gt.data, pred.dims, labels);
  return labels.map((label, i) => {
    const t = tallies[i]!;
    const name = options.labelNames?.[label] ?? String(label);
    const base = { label, name, dice: diceFromCounts(t), predVoxels: t.pred, gtVoxels: t.gt };
    // An organ absent from the truth has no Dice, HD95 or NSD (MONAI's ignore_empty); what the
    // prediction put there is a false positive, measured in mL so it compares across grids.
    if (t.gt === 0)
      return { ...base, hd95: Number.NaN, nsd: Number.NaN, falsePositiveMl: t.pred * voxelMl(gt.spacing) };
    const box = padBox(t.box, gt.dims);
    const distances = surfaceDistancesOfMasks(
      cropMask(pred.data, pred.dims, box, label),
      cropMask(gt.data, gt.dims, box, label),
      boxDims(box),
      gt.spacing,
    );
    return {
      ...base,
      hd95: hausdorffFromDistances(distances, q),
      nsd: surfaceDiceFromDistances(distances, tolerance),
    };
  });
}

/** A region scored as one mask that unites several label values (e.g. BraTS tumour core = {1, 4}). */
export interface LabelRegion {
  name: string;
  labels: number[];
}

/** A 0/1 uint8 volume of the voxels whose value is in `labels`. */
function regionMask(volume: Volume, labels: number[]): Volume {
  const wanted = new Set(labels);
  const mask = new Uint8Array(volume.data.length);
  for (let i = 0; i < mask.length; i++) if (wanted.has(volume.data[i]!)) mask[i] = 1;
  return { ...volume, data: mask, datatype: 'uint8' };
}

/**
 * Dice, HD95 and NSD of possibly overlapping regions (BraTS ET/TC/WT); each region is reported
 * with `label` = its 1-based position in `regions`.
 */
export function evaluateRegions(
  pred: Volume,
  gt: Volume,
  regions: LabelRegion[],
  options: EvaluateOptions = {},
): OrganMetrics[] {
  assertSameGrid(pred, gt, pred.source?.path, gt.source?.path);
  return regions.map((region, i) => {
    const [organ] = evaluateCase(
      regionMask(pred, region.labels),
      regionMask(gt, region.labels),
      [1],
      options,
    );
    return { ...organ!, label: i + 1, name: region.name };
  });
}
