/**
 * Fine-tuning validation: sliding-window segmentation of each validation case on its preprocessed
 * grid, then Dice per organ (softmax classes) or per region (BraTS WT/TC/ET: a voxel is in a region
 * when its label is one the region unites, in prediction and truth alike). A case whose truth lacks
 * an organ or region has no Dice for it (MONAI's ignore_empty), so means are `nanMean`s.
 */
import type { LabelledVolume } from '../data/patch-sampler.js';
import type { Region } from '../data/regions.js';
import type { SegmentationModelInfo } from '../infer/model-description.js';
import { segmentPrepared } from '../infer/segment.js';
import { diceScore, nanMean } from '../metrics/index.js';
import type { SegmentationNetwork } from '../nn/segmentation-network.js';

export interface ValidationResult {
  epoch: number;
  /** Mean Dice over validation cases, per organ (or region) name. */
  perOrgan: Record<string, number>;
  meanDice: number;
}

/** 0/1 mask of the voxels whose label is one of `region`'s. */
function regionMask(labels: Uint8Array, region: Region): Uint8Array {
  const set = new Set(region.labels);
  return labels.map((v) => (set.has(v) ? 1 : 0));
}

/**
 * Validation Dice of `model` on `volumes`.
 *
 * @example validateSegmentation({ network, info }, volumes, 3, { overlap: 0.5, postprocess: 'none' })
 */
export function validateSegmentation(
  model: { network: SegmentationNetwork; info: SegmentationModelInfo },
  volumes: readonly LabelledVolume[],
  epoch: number,
  options: { overlap: number; postprocess: 'none' | 'lcc' },
): ValidationResult {
  const { info } = model;
  const organs = Object.keys(info.labels)
    .map(Number)
    .filter((v) => v !== 0)
    .sort((a, b) => a - b);
  const targets: { name: string; score: (pred: Uint8Array, truth: Uint8Array) => number }[] = info.regions
    ? info.regions.map((r) => ({
        name: r.name,
        score: (pred, truth) => diceScore(regionMask(pred, r), regionMask(truth, r)),
      }))
    : organs.map((o) => ({
        name: info.labels[o] ?? String(o),
        score: (pred, truth) => diceScore(pred, truth, o),
      }));
  const scores = targets.map(() => [] as number[]);
  for (const v of volumes) {
    const pred = segmentPrepared(model, v.image, v.dims, {
      overlap: options.overlap,
      batchSize: info.window[2] === 1 ? 32 : 2,
      postprocess: options.postprocess,
    });
    for (const [i, t] of targets.entries()) scores[i]!.push(t.score(pred, v.label));
  }
  const perOrgan: Record<string, number> = {};
  targets.forEach((t, i) => {
    const dice = nanMean(scores[i]!);
    if (!Number.isNaN(dice)) perOrgan[t.name] = dice;
  });
  return { epoch, perOrgan, meanDice: nanMean(Object.values(perOrgan)) };
}
