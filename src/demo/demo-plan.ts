/**
 * How big the embedded demo is. `quick` is what CI runs (under 3 minutes on 2 cores with oneDNN);
 * `full` is the README's demo (under 15 minutes). Both tell the same story at different sample sizes.
 */
export interface DemoPlan {
  /** Synthetic cases written (train + validation). */
  cases: number;
  /** Phantom matrix [x, y, z]. */
  size: [number, number, number];
  /** Pre-training epochs over the training pairs. */
  pretrainEpochs: number;
  /** Fine-tuning epochs × optimizer steps per epoch. */
  finetuneEpochs: number;
  finetuneSteps: number;
  /** Fraction of the labelled training cases fine-tuning may use. */
  labelFraction: number;
  /** 2D slice / patch size. */
  sliceSize: number;
  /**
   * Rate of clinical variation relative to the phantom's defaults. The demo cohort is enriched with
   * post-surgical and abnormal cases so that its reports say something that differs between patients:
   * with every organ present in every report, organ-tag recognition has nothing to learn from.
   */
  variation: number;
  /** Model grid spacing in mm: about the phantom's own, so one patch holds the whole abdomen. */
  spacing: [number, number, number];
  seed: number;
}

export const quickDemoPlan: DemoPlan = {
  cases: 24,
  size: [64, 64, 32],
  pretrainEpochs: 12,
  finetuneEpochs: 8,
  finetuneSteps: 20,
  labelFraction: 0.2,
  sliceSize: 64,
  spacing: [6, 6, 8],
  variation: 2.5,
  seed: 7,
};

export const fullDemoPlan: DemoPlan = {
  cases: 40,
  size: [96, 96, 48],
  pretrainEpochs: 20,
  finetuneEpochs: 8,
  finetuneSteps: 25,
  labelFraction: 0.1,
  sliceSize: 96,
  spacing: [4, 4, 5],
  variation: 2.5,
  seed: 7,
};
