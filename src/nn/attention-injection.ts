/**
 * Pixel-tag attention maps as extra decoder input (DESIGN.md §1, fine-tuning). Each decoder stage
 * gets the K maps of the encoder stage at its resolution: that stage's features, projected into the
 * image–text space by the pre-trained 1×1 `stageProjections[i]`, against the tag queries q_k, which
 * are the pre-training run's encoded tag prompts (so the text encoder is not needed during
 * fine-tuning or inference). `freeze()` (the default, `--freeze-tags`) keeps the queries and the
 * projections exactly as pre-training left them, so the maps keep what the reports taught.
 */
import { interpolate, type Parameter, type Tensor } from '../engine/index.js';
import { normalParameter } from './init.js';
import { Conv } from './layers/conv.js';
import { pixelTagAttention } from './pixel-tag-attention.js';

export interface AttentionInjectionConfig {
  /** 2 for the 2D U-Net, 3 for UNETR. */
  spatialDims: 2 | 3;
  /** Channels of the encoder stage behind each map, finest first. */
  stageChannels: number[];
  /** Width of the shared image–text space (the pre-training run's embedDim). */
  embedDim: number;
  /** Number of tags K (channels added at every decoder stage). */
  tags: number;
  /** Temperature of the cosine similarity (the pre-training run's tau). */
  tau: number;
}

export class AttentionInjection {
  /** One 1×1 projection per stage (names match MosmosModel's for 2D, so pre-trained weights load). */
  readonly stageProjections: Conv[];
  /** q_k [K, embedDim]. */
  readonly tagQueries: Parameter;

  constructor(readonly config: AttentionInjectionConfig) {
    this.stageProjections = config.stageChannels.map(
      (c) => new Conv(config.spatialDims, c, config.embedDim, 1, { padding: 0 }),
    );
    // Random queries when there is no pre-training run (the "random init + random maps" control).
    this.tagQueries = normalParameter([config.tags, config.embedDim], 1);
  }

  get channels(): number {
    return this.config.tags;
  }

  /** Queries and projections stop taking gradients (and leave the optimizer's parameter list). */
  freeze(): void {
    this.tagQueries.requiresGrad = false;
    for (const p of this.stageProjections)
      for (const t of [p.weight, p.bias]) if (t) (t as Parameter).requiresGrad = false;
  }

  /** The maps of each stage: features [N, C_i, ...s_i] (finest first) → [N, K, ...s_i], summing to 1 over K. */
  forward(stages: readonly Tensor[]): Tensor[] {
    return this.stageProjections.map((p, i) =>
      pixelTagAttention(p.forward(stages[i]!), this.tagQueries, this.config.tau),
    );
  }
}

/** The maps resized (bi/trilinear) to a decoder stage's spatial size; unchanged when it already fits. */
export function resizeAttention(maps: Tensor, size: readonly number[]): Tensor {
  const current = maps.shape.slice(2);
  if (current.length === size.length && current.every((s, i) => s === size[i])) return maps;
  return interpolate(maps, size, 'linear');
}
