/**
 * The Dice similarity coefficient 2|P∩G| / (|P| + |G|), as MONAI's `compute_dice` with
 * `ignore_empty=False`: when both masks are empty the prediction is perfect and Dice is 1; when
 * only one is empty Dice is 0.
 */
import type { MaskArray } from './distance-transform.js';

/** Overlap counts of one class: voxels in the prediction, in the ground truth, and in both. */
export interface OverlapCounts {
  pred: number;
  gt: number;
  both: number;
}

/** Dice from overlap counts (1 when both are empty, see the file comment). */
export function diceFromCounts(counts: OverlapCounts): number {
  const total = counts.pred + counts.gt;
  return total === 0 ? 1 : (2 * counts.both) / total;
}

/**
 * Dice between the set voxels of `pred` and `gt`: nonzero voxels, or voxels equal to `label` when
 * given (so label maps can be passed directly).
 *
 * @example
 * diceScore(predLabels, gtLabels, 6); // liver in a BTCV label map
 */
export function diceScore(pred: MaskArray, gt: MaskArray, label?: number): number {
  if (pred.length !== gt.length) throw new RangeError(`mask sizes differ: ${pred.length} vs ${gt.length}`);
  const counts: OverlapCounts = { pred: 0, gt: 0, both: 0 };
  for (let i = 0; i < pred.length; i++) {
    const p = label === undefined ? pred[i] !== 0 : pred[i] === label;
    const g = label === undefined ? gt[i] !== 0 : gt[i] === label;
    if (p) counts.pred++;
    if (g) counts.gt++;
    if (p && g) counts.both++;
  }
  return diceFromCounts(counts);
}
