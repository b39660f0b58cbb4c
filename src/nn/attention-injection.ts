/**
 * Pixel-tag attention maps as extra decoder input (DESIGN.md §1, fine-tuning). The maps are computed
 * from the deepest feature map of the encoder being fine-tuned — projected into the image–text space
 * by the pre-trained 1×1 `featureProjection` — and from the tag queries q_k, which start as the
 * pre-training run's encoded tag prompts and are tuned as plain parameters (so the text encoder is
 * not needed during fine-tuning or inference). Each decoder stage gets the K maps resized to its size.
 */
import { interpolate, type Parameter, type Tensor } from '../engine/index.js';
import { normalParameter } from './init.js';
import { Conv } from './layers/conv.js';
import { pixelTagAttention } from './pixel-tag-attention.js';

export interface AttentionInjectionConfig {
  /** 2 for the 2D U-Net, 3 for UNETR. */
  spatialDims: 2 | 3;
  /** Channels of the encoder's deepest map. */
  featureChannels: number;
  /** Width of the shared image–text space (the pre-training run's embedDim). */
  embedDim: number;
  /** Number of tags K (channels added at every decoder stage). */
  tags: number;
  /** Temperature of the cosine similarity (the pre-training run's tau). */
  tau: number;
}

export class AttentionInjection {
  /** Same shape and name suffix as MosmosModel.featureProjection, so pre-trained weights load. */
  readonly featureProjection: Conv;
  /** q_k [K, embedDim]. */
  readonly tagQueries: Parameter;

  constructor(readonly config: AttentionInjectionConfig) {
    this.featureProjection = new Conv(config.spatialDims, config.featureChannels, config.embedDim, 1, {
      padding: 0,
    });
    // Random queries when there is no pre-training run (the attention-maps-on-from-scratch ablation).
    this.tagQueries = normalParameter([config.tags, config.embedDim], 1);
  }

  get channels(): number {
    return this.config.tags;
  }

  /** The maps at feature resolution: deepest [N, C, ...s] → [N, K, ...s], summing to 1 over K. */
  forward(deepest: Tensor): Tensor {
    return pixelTagAttention(this.featureProjection.forward(deepest), this.tagQueries, this.config.tau);
  }
}

/** The maps resized (bi/trilinear) to a decoder stage's spatial size; unchanged when it already fits. */
export function resizeAttention(maps: Tensor, size: readonly number[]): Tensor {
  const current = maps.shape.slice(2);
  if (current.length === size.length && current.every((s, i) => s === size[i])) return maps;
  return interpolate(maps, size, 'linear');
}
