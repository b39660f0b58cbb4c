import type { DatasetFormat } from '../data/dataset.js';
import type { LabelledPick } from '../data/labelled-pick.js';
import type { ExperimentPlan } from '../data/plan.js';
import type { PreprocessSettings } from '../data/preprocess.js';
import type { Region } from '../data/regions.js';
import { unet2dPresets } from '../nn/unet2d-encoder.js';
import type { ViTPreset } from '../nn/vit.js';

export interface FinetuneConfig {
  /** Dataset folder and its layout (detected when omitted). */
  data: string;
  format?: DatasetFormat;
  /** 'ct' or 'mr' for datasets that mix modalities (AMOS, MMWHS). */
  modality?: string;
  out: string;
  arch: 'unet2d' | 'unet3d' | 'unetr';
  /** A pre-training run folder: its image encoder, feature projection and tag queries are loaded. */
  pretrained?: string;
  /** Pixel-tag attention maps concatenated at every decoder stage (default: on with --pretrained). */
  attentionMaps: boolean;
  /** Fraction of the labelled training cases used (seeded, nested subsets). */
  labelFraction: number;
  /** Exactly this many labelled training cases (seeded, nested subsets); overrides labelFraction when > 0. */
  labelledCases?: number;
  /**
   * How the labelled subset is chosen: a seeded random pick, or `report-coverage` (from the dataset's
   * pairs.jsonl reports: every organ covered, rare ones first; src/data/labelled-pick.ts).
   */
  labelledPick?: LabelledPick;
  /**
   * Self-training: after this fraction of the planned steps, pseudo-label the training images whose
   * labels the run leaves out and train on half labelled, half pseudo-labelled patches (0 = off;
   * src/train/self-training.ts).
   */
  selfTrain: number;
  /** Seed of the train/validation split (default: `seed`), so a study can vary seeds on one split. */
  splitSeed?: number;
  /**
   * Keep the tag queries and the maps' stage projections exactly as initialised (pre-trained, or
   * random for the control) so the maps keep what the reports taught. Default on.
   */
  freezeTags: boolean;
  epochs: number;
  /** Optimizer steps per epoch (patch batches; patches, not volumes, are the unit of work). */
  stepsPerEpoch: number;
  /** Patches per step. */
  batch: number;
  lr: number;
  weightDecay: number;
  seed: number;
  /**
   * unet2d: in-plane patch [x, y]; unet3d: [x, y, z] (divisible by 2^(stages−1)); unetr: ignored,
   * the ViT image size is the patch.
   */
  patch: [number, number] | [number, number, number];
  /** Loss at every decoder resolution with nnU-Net's weights 1, 1/2, 1/4 … normalised (U-Nets). */
  deepSupervision: boolean;
  /** Minutes for the whole run: the number of steps is planned from the measured step time (0 = off). */
  timeBudget: number;
  /** Cut and augment patches in a worker thread (off: on the training thread). */
  worker: boolean;
  /** Post-processing of validation and (through model.json) `segment`: each organ's largest component. */
  postprocess: 'none' | 'lcc';
  /**
   * Spacing and intensity; default: the pre-training run's, else `defaultPreprocess`. One intensity
   * setting per channel makes a multi-channel network (BraTS: 4 from the plan).
   */
  preprocess?: PreprocessSettings;
  /**
   * Overlapping regions trained with one sigmoid each (BCE + Dice) instead of softmax classes: the
   * plan's output for BraTS (ET, TC, WT). Region models are not post-processed (`postprocess` ignored).
   */
  regions?: Region[];
  /** U-Net widths (2D, without --pretrained). */
  widths: number[];
  /** ViT preset (3D, without --pretrained) and UNETR decoder width. */
  vit: ViTPreset;
  featureSize: number;
  /** Tag vocabulary for the attention maps without --pretrained (else the run's). */
  tags: string;
  /** Sliding-window validation every N epochs (and after the last). */
  valEvery: number;
  /** Window overlap in validation. */
  overlap: number;
  /** Probability that a patch is centred on foreground. */
  positiveFraction: number;
  augment: boolean;
  clipNorm: number;
  resume: boolean;
  force: boolean;
  /** Stop after this many steps in this invocation (tests, time-boxed runs); 0 = no limit. */
  maxSteps: number;
  /** The experiment plan the run's settings came from; written to the run folder as plans.json. */
  plan?: ExperimentPlan;
}

export const defaultFinetuneConfig: Omit<FinetuneConfig, 'data' | 'out' | 'attentionMaps'> = {
  arch: 'unet2d',
  labelFraction: 1,
  selfTrain: 0,
  freezeTags: true,
  epochs: 20,
  stepsPerEpoch: 50,
  batch: 8,
  // AdamW 3e-3 with a poly schedule: in a 300-step comparison on 2 cores (DESIGN.md §7) nnU-Net's
  // SGD + Nesterov 0.99 (lr 1e-2) reached mean Dice 0.06 where AdamW 3e-3 reached 0.54.
  lr: 3e-3,
  weightDecay: 0.01,
  seed: 0,
  patch: [64, 64],
  deepSupervision: true,
  timeBudget: 0,
  worker: true,
  // Largest component per organ: stray islands of an organ (or of one absent from the case) are
  // what pull small organs' Dice down (DESIGN.md §7); on bench:recipe it lifted the liver 0.75 → 0.80
  // at 46 steps. Written to model.json, so `mosmos segment` applies it too unless told otherwise.
  postprocess: 'lcc',
  widths: [...unet2dPresets.small],
  vit: 'tiny',
  featureSize: 16,
  tags: 'btcv',
  valEvery: 5,
  overlap: 0.5,
  positiveFraction: 0.5,
  augment: true,
  clipNorm: 1,
  resume: false,
  force: false,
  maxSteps: 0,
};
