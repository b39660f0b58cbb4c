/**
 * The Dice similarity coefficient 2|P∩G| / (|P| + |G|), as MONAI's `DiceMetric` counts it. By
 * default (`ignoreEmpty`, MONAI's default `ignore_empty=True`) an organ absent from the ground truth
 * has no Dice (NaN), so it is left out of the case's mean instead of scoring 1.0 for an empty
 * prediction or 0.0 for a stray one; a prediction of an absent organ is reported separately as a
 * false-positive volume (evaluate.ts). With `ignoreEmpty: false` both-empty scores 1 and
 * prediction-only scores 0 (MONAI's `ignore_empty=False`).
 */
import type { MaskArray } from './distance-transform.js';

/** Overlap counts of one class: voxels in the prediction, in the ground truth, and in both. */
export interface OverlapCounts {
  pred: number;
  gt: number;
  both: number;
}

export interface DiceOptions {
  /** NaN when the ground truth is empty (default true, as MONAI). */
  ignoreEmpty?: boolean;
}

/** Dice from overlap counts (NaN, or 1/0 without ignoreEmpty, when the truth is empty). */
export function diceFromCounts(counts: OverlapCounts, options: DiceOptions = {}): number {
  if (counts.gt > 0) return (2 * counts.both) / (counts.pred + counts.gt);
  if (options.ignoreEmpty ?? true) return Number.NaN;
  return counts.pred === 0 ? 1 : 0;
}

/**
 * Dice between the set voxels of `pred` and `gt`: nonzero voxels, or voxels equal to `label` when
 * given (so label maps can be passed directly).
 *
 * @example
 * diceScore(predLabels, gtLabels, 6); // liver in a BTCV label map; NaN if the case has no liver
 */
export function diceScore(pred: MaskArray, gt: MaskArray, label?: number, options: DiceOptions = {}): number {
  if (pred.length !== gt.length) throw new RangeError(`mask sizes differ: ${pred.length} vs ${gt.length}`);
  const counts: OverlapCounts = { pred: 0, gt: 0, both: 0 };
  for (let i = 0; i < pred.length; i++) {
    const p = label === undefined ? pred[i] !== 0 : pred[i] === label;
    const g = label === undefined ? gt[i] !== 0 : gt[i] === label;
    if (p) counts.pred++;
    if (g) counts.gt++;
    if (p && g) counts.both++;
  }
  return diceFromCounts(counts, options);
}

/** Mean of the values that are not NaN (MONAI's `nanmean` reduction); NaN when none are. */
export function nanMean(values: number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values)
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  return n === 0 ? Number.NaN : sum / n;
}
