/**
 * The region loss (nnU-Net's region-based training, BraTS): one sigmoid per (possibly overlapping)
 * region, binary cross-entropy + (1 − soft Dice) with the Dice of each region over the whole batch
 * ("batch Dice", as the class loss in segmentation-losses.ts), smoothing 1e-5.
 */

import { type Region, regionTargets } from '../data/regions.js';
import { add, div, mean, mul, scaleShift, sigmoid, sum, type Tensor, tensor } from '../engine/index.js';
import { maskedBce } from './losses.js';
import { deepSupervisionWeights, downsampleLabels } from './segmentation-losses.js';

export interface RegionLossFigures {
  loss: Tensor;
  dice: Tensor;
  bce: Tensor;
}

/**
 * logits [N, R, ...spatial] (one channel per region) and label maps [N, ...spatial] → BCE + Dice loss.
 *
 * @example regionBceDiceLoss(logits, batch.labels, Object.values(BRATS_REGIONS))
 */
export function regionBceDiceLoss(
  logits: Tensor,
  labels: ArrayLike<number>,
  regions: readonly Region[],
  smooth = 1e-5,
): RegionLossFigures {
  const shape = logits.shape;
  if (shape[1] !== regions.length)
    throw new RangeError(`logits have ${shape[1]} channels for ${regions.length} regions`);
  const targets = regionTargets(labels, shape[0]!, regions);
  const bce = maskedBce(logits, targets);
  const probs = sigmoid(logits);
  const target = tensor(targets, shape);
  const axes = [0, ...shape.slice(2).map((_, i) => i + 2)];
  const intersection = sum(mul(probs, target), axes);
  const denominator = add(sum(probs, axes), sum(target, axes));
  const perRegion = div(add(mul(intersection, 2), smooth), add(denominator, smooth));
  const dice = scaleShift(mean(perRegion), -1, 1);
  return { loss: add(bce, dice), dice, bce };
}

/**
 * The region loss summed over deep supervision outputs [full, 1/2, …] with nnU-Net's weights (labels
 * taken down as for the class loss); the figures reported are those of the full-resolution output.
 */
export function deepSupervisionRegionLoss(
  outputs: Tensor[],
  labels: ArrayLike<number>,
  regions: readonly Region[],
): RegionLossFigures {
  const weights = deepSupervisionWeights(outputs.length);
  const full = outputs[0]!.shape;
  const first = regionBceDiceLoss(outputs[0]!, labels, regions);
  let loss = mul(first.loss, weights[0]!);
  for (let i = 1; i < outputs.length; i++) {
    const target = downsampleLabels(labels, full[0]!, full.slice(2), outputs[i]!.shape.slice(2));
    loss = add(loss, mul(regionBceDiceLoss(outputs[i]!, target, regions).loss, weights[i]!));
  }
  return { loss, dice: first.dice, bce: first.bce };
}
