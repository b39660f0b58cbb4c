/** Configuration of a pre-training run: a typed object with defaults, written to run.json. */
import type { ExperimentPlan } from '../data/plan.js';
import type { PreprocessSettings } from '../data/preprocess.js';
import { defaultPreprocess } from '../data/preprocess.js';
import type { textEncoderPresets } from '../nn/text-encoder.js';
import { unet2dPresets } from '../nn/unet2d-encoder.js';
import { type ViTPreset, vitPresets } from '../nn/vit.js';
import type { VocabularyName } from '../report/vocabularies.js';
import { defaultFinetuneConfig } from './finetune-config.js';

export interface PretrainConfig {
  /** Pairs manifest (JSON Lines). */
  pairs: string;
  /** Run folder. */
  out: string;
  arch: 'unet2d' | 'unetr';
  epochs: number;
  /** Volumes per batch (each contributes its whole bag of patches). */
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
  /** Weight λ of the multi-label recognition loss: loss = InfoNCE + λ·MLR + μ·maps. */
  lambda: number;
  /** Weight μ of the pixel-tag maps' own multiple-instance loss (0 = maps not supervised). */
  mapLambda: number;
  mlrLoss: 'asl' | 'bce';
  /** ASL focusing exponents and negative margin (see AsymmetricLossOptions for why γ− = 0). */
  aslGammaPositive: number;
  aslGammaNegative: number;
  aslMargin: number;
  /** MLR decoder: cross-attention blocks and heads (Recognize Anything's tagging head: 2 and 4). */
  decoderLayers: number;
  decoderHeads: number;
  /** Organs taken as present when a report does not mention them (DESIGN.md §1); default in tag-targets.ts. */
  alwaysImaged?: string[];
  /** Fraction of pairs held out for validation (at least 2 pairs when there are 4 or more). */
  validationFraction: number;
  preprocess: PreprocessSettings;
  /**
   * 2D: in-plane patch [x, y] in voxels of the run's spacing — the fine-tuning patch, so the encoder
   * and the maps are learnt at the scale they serve. Each bag slice is tiled by it over the body.
   */
  patch: [number, number];
  /**
   * 2D: axial stride of a bag in mm (rounded down to whole slices, at least 1): every organ whose
   * cranio-caudal extent is at least this is in every bag. 10 mm is below the smallest abdominal
   * organ of the tag vocabularies (adrenal glands, 20–40 mm).
   */
  bagStrideMm: number;
  /**
   * 'argmax' (default): an inference pass over the whole bag finds each tag's max-pooled instances
   * and only those (plus one random instance per bag) are trained on — the same recognition and map
   * losses as the whole bag at a fraction of the cost; the other instances enter the contrastive bag
   * embedding as constants. 'all': every instance takes gradients.
   */
  bagGradient: 'argmax' | 'all';
  /** U-Net widths (2D) — a preset name's widths or explicit. */
  widths: number[];
  /** ViT preset (3D); its imageSize is the patch cropped from each volume. */
  vit: ViTPreset;
  /** Built-in text encoder size. */
  textPreset: keyof typeof textEncoderPresets;
  /** WordPiece vocabulary size of the built-in text encoder. */
  vocabSize: number;
  /** Tokens per encoded chunk; longer reports are encoded sentence-wise in chunks and pooled. */
  maxTokens: number;
  /**
   * Learning-rate multiplier of a loaded BERT (--text-encoder <folder>); 0 = frozen (default): with a
   * few hundred reports and 2 CPU cores, updating 110 M parameters at the image network's rate wipes
   * out what the clinical BERT knew, and its backward pass would dominate every step. The projection
   * heads on top of it are still trained. The built-in encoder (trained from scratch) ignores this.
   */
  textLrScale: number;
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
  /** Minutes for the whole run: steps planned from the measured step time, the schedule spans them (0 = off). */
  timeBudget: number;
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
  mapLambda: 1,
  mlrLoss: 'asl',
  aslGammaPositive: 0,
  aslGammaNegative: 0,
  aslMargin: 0.05,
  decoderLayers: 2,
  decoderHeads: 4,
  validationFraction: 0.2,
  preprocess: defaultPreprocess,
  patch: [defaultFinetuneConfig.patch[0], defaultFinetuneConfig.patch[1]],
  bagStrideMm: 10,
  bagGradient: 'argmax',
  widths: [...unet2dPresets.small],
  vit: 'tiny',
  textPreset: 'tiny',
  vocabSize: 2000,
  maxTokens: 256,
  textLrScale: 0,
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
  timeBudget: 0,
};

/** The ViT settings of a preset. */
export function vitSettings(preset: ViTPreset) {
  const p = vitPresets[preset];
  return { ...p, imageSize: [...p.imageSize] as [number, number, number] };
}
