/** Configuration of a pre-training run: a typed object with defaults, written to run.json. */
import type { ExperimentPlan } from '../data/plan.js';
import type { PreprocessSettings } from '../data/preprocess.js';
import { defaultPreprocess } from '../data/preprocess.js';
import type { textEncoderPresets } from '../nn/text-encoder.js';
import { unet2dPresets } from '../nn/unet2d-encoder.js';
import { type ViTPreset, vitPresets } from '../nn/vit.js';
import type { VocabularyName } from '../report/vocabularies.js';

export interface PretrainConfig {
  /** Pairs manifest (JSON Lines). */
  pairs: string;
  /** Run folder. */
  out: string;
  arch: 'unet2d' | 'unetr';
  epochs: number;
  /** Volumes per batch (2D: each contributes `slicesPerVolume` slices). */
  batch: number;
  lr: number;
  weightDecay: number;
  /** Linear warm-up steps (default: 5 % of all steps). */
  warmupSteps?: number;
  seed: number;
  /** Organ-tag vocabulary (the target dataset's organs). */
  tags: VocabularyName;
  /** 'builtin' (trained from scratch) or a local BERT folder (config.json, vocab.txt, model.safetensors). */
  textEncoder: string;
  /** Weight λ of the multi-label recognition loss: loss = InfoNCE + λ·MLR. */
  lambda: number;
  mlrLoss: 'asl' | 'bce';
  /** Organs taken as present when a report does not mention them (DESIGN.md §1); default in tag-targets.ts. */
  alwaysImaged?: string[];
  /** Fraction of pairs held out for validation (at least 2 pairs when there are 4 or more). */
  validationFraction: number;
  preprocess: PreprocessSettings;
  /** 2D: slices are resized to sliceSize × sliceSize. */
  sliceSize: number;
  /** 2D: slices per volume per step (the MIL bag). */
  slicesPerVolume: number;
  /** U-Net widths (2D) — a preset name's widths or explicit. */
  widths: number[];
  /** ViT preset (3D); its imageSize is the patch cropped from each volume. */
  vit: ViTPreset;
  /** Built-in text encoder size. */
  textPreset: keyof typeof textEncoderPresets;
  /** WordPiece vocabulary size of the built-in text encoder. */
  vocabSize: number;
  /** Tokens per report (longer reports are truncated). */
  maxTokens: number;
  /** Shared image–text embedding width. */
  embedDim: number;
  /** Temperature of the pixel-tag cosine similarity. */
  tau: number;
  augment: boolean;
  /** Shuffle the sentences of each training report every time it is used (text augmentation). */
  shuffleSentences: boolean;
  /** Gradient clipping by global norm (0 = off). */
  clipNorm: number;
  /** Where preprocessed volumes are cached (default: <out>/cache). */
  cacheDir?: string;
  /** Read images in a worker thread. */
  worker: boolean;
  resume: boolean;
  skipBad: boolean;
  force: boolean;
  /** Stop after this many optimizer steps in this invocation (tests, time-boxed runs); 0 = no limit. */
  maxSteps: number;
  /** The experiment plan the run's settings came from; written to the run folder as plans.json. */
  plan?: ExperimentPlan;
}

export const defaultPretrainConfig: Omit<PretrainConfig, 'pairs' | 'out'> = {
  arch: 'unet2d',
  epochs: 20,
  batch: 8,
  lr: 1e-3,
  weightDecay: 0.01,
  seed: 0,
  tags: 'abdomen',
  textEncoder: 'builtin',
  lambda: 1,
  mlrLoss: 'asl',
  validationFraction: 0.2,
  preprocess: defaultPreprocess,
  sliceSize: 64,
  slicesPerVolume: 4,
  widths: [...unet2dPresets.small],
  vit: 'tiny',
  textPreset: 'tiny',
  vocabSize: 2000,
  maxTokens: 64,
  embedDim: 64,
  tau: 0.1,
  augment: true,
  shuffleSentences: true,
  clipNorm: 1,
  worker: true,
  resume: false,
  skipBad: false,
  force: false,
  maxSteps: 0,
};

/** The ViT settings of a preset. */
export function vitSettings(preset: ViTPreset) {
  const p = vitPresets[preset];
  return { ...p, imageSize: [...p.imageSize] as [number, number, number] };
}
