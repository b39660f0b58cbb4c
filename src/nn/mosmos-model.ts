/**
 * The networks of MOSMOS pre-training put together (DESIGN.md §1): image encoder E (2D residual
 * U-Net encoder or UNETR's ViT), text encoder T, projection heads for g, t, the pixel features F of
 * every encoder stage (1×1 projections into the query space, one per stage, so the pixel-tag maps
 * exist at every resolution the fine-tuning decoder uses) and the tag queries q_k, the multi-label
 * recognition decoder and the learnable contrastive temperature. Parameter names
 * (`imageEncoder.…`, `stageProjections.…`) are the safetensors keys fine-tuning loads.
 */
import { add, matmul, type Parameter, permute, reshape, type Tensor, tensor } from '../engine/index.js';
import { normalParameter } from './init.js';
import { Conv } from './layers/conv.js';
import { LogitScale } from './logit-scale.js';
import { MlrDecoder } from './mlr-decoder.js';
import { l2Normalize } from './pixel-tag-attention.js';
import { ProjectionHead } from './projection.js';
import { TextEncoder, type TextEncoderConfig, type TokenBatch } from './text-encoder.js';
import { UNet2dEncoder } from './unet2d-encoder.js';
import { ViT, type ViTConfig } from './vit.js';

/** What the model needs from a report encoder (the built-in one or a loaded BERT). */
export interface ReportEncoder {
  readonly outChannels: number;
  forward(batch: TokenBatch, training?: boolean): { pooled: Tensor };
}

export interface MosmosModelConfig {
  arch: 'unet2d' | 'unetr';
  inChannels: number;
  /** U-Net widths (arch unet2d). */
  widths?: number[];
  /** ViT settings without inChannels (arch unetr). */
  vit?: Omit<ViTConfig, 'inChannels'>;
  /** Built-in text encoder settings; ignored when a loaded encoder is passed. */
  text?: TextEncoderConfig;
  /** Width of the shared image–text space. */
  embedDim: number;
  /** Tag names, in the order of the logits. */
  tags: string[];
  /** Temperature of the cosine similarity of the pixel-tag attention maps. */
  tau?: number;
  /** MLR decoder depth and heads (default 2 and 4). */
  decoderLayers?: number;
  decoderHeads?: number;
}

export interface ImageEncoding {
  /** Deepest pixel/voxel features in the shared space: [N, embedDim, ...spatial]. */
  features: Tensor;
  /**
   * Every encoder stage's features in the shared space, finest first (2D: one per U-Net stage, the
   * last being `features`; 3D: the ViT's token grid only).
   */
  stages: Tensor[];
  /** Pooled encoder output before the projection head: [N, pooledChannels]. */
  pooled: Tensor;
}

export class MosmosModel {
  readonly imageEncoder: UNet2dEncoder | ViT;
  readonly textEncoder: ReportEncoder;
  readonly imageProjection: ProjectionHead;
  readonly textProjection: ProjectionHead;
  readonly featureProjection: Conv;
  /** 1×1 projections of the shallower 2D stages (finest first); empty for the ViT. */
  readonly stageProjections: Conv[];
  readonly queryProjection: ProjectionHead;
  /**
   * A learnable vector per tag added to the (unit-length) projected prompt embedding. Prompts differ
   * by one word ("the liver", "the spleen"), and a text encoder trained from scratch first embeds them
   * all alike; the tag's own vector keeps the queries — and so the pixel-tag maps — apart from the
   * start, as Query2Label's learnable label embeddings do.
   */
  readonly tagEmbedding: Parameter;
  readonly mlr: MlrDecoder;
  readonly logitScale: LogitScale;

  constructor(
    readonly config: MosmosModelConfig,
    textEncoder?: ReportEncoder,
  ) {
    if (config.arch === 'unet2d') {
      this.imageEncoder = new UNet2dEncoder({
        inChannels: config.inChannels,
        widths: config.widths ?? [16, 32, 64, 128],
      });
    } else {
      if (!config.vit) throw new Error('arch unetr needs a ViT configuration');
      this.imageEncoder = new ViT({ inChannels: config.inChannels, ...config.vit });
    }
    if (textEncoder) this.textEncoder = textEncoder;
    else if (config.text) this.textEncoder = new TextEncoder(config.text);
    else throw new Error('a text encoder configuration or a loaded text encoder is needed');
    const imageWidth = this.imageEncoder.outChannels;
    const textWidth = this.textEncoder.outChannels;
    this.imageProjection = new ProjectionHead(this.imageEncoder.pooledChannels, config.embedDim);
    this.textProjection = new ProjectionHead(textWidth, config.embedDim);
    this.featureProjection = new Conv(config.arch === 'unet2d' ? 2 : 3, imageWidth, config.embedDim, 1, {
      padding: 0,
    });
    this.stageProjections =
      this.imageEncoder instanceof UNet2dEncoder
        ? this.imageEncoder.config.widths
            .slice(0, -1)
            .map((w) => new Conv(2, w, config.embedDim, 1, { padding: 0 }))
        : [];
    this.queryProjection = new ProjectionHead(textWidth, config.embedDim, { batchNorm: false });
    // Components N(0, 1/d): a vector of about unit length, like the normalised prompt embedding.
    this.tagEmbedding = normalParameter(
      [config.tags.length, config.embedDim],
      1 / Math.sqrt(config.embedDim),
    );
    this.mlr = new MlrDecoder({
      dim: config.embedDim,
      tags: config.tags.length,
      layers: config.decoderLayers,
      heads: config.decoderHeads,
    });
    this.logitScale = new LogitScale();
  }

  /** The spatial down-sampling from input to features (2D: per axis of a slice; 3D: the patch size). */
  get featureStride(): number {
    return this.imageEncoder instanceof UNet2dEncoder
      ? this.imageEncoder.reduction
      : this.imageEncoder.config.patchSize;
  }

  /** Temperature of the pixel-tag maps. */
  get tau(): number {
    return this.config.tau ?? 0.1;
  }

  /** 2D: images [N, C, H, W] (slices or in-plane patches); 3D: [N, C, D, H, W] patches. */
  encodeImage(x: Tensor, training = false): ImageEncoding {
    if (this.imageEncoder instanceof UNet2dEncoder) {
      const out = this.imageEncoder.forward(x);
      const features = this.featureProjection.forward(out.deepest);
      const stages = this.stageProjections.map((p, i) => p.forward(out.skips[i]!));
      return { features, stages: [...stages, features], pooled: out.pooled };
    }
    const out = this.imageEncoder.forward(x, training);
    const [n, , c] = out.tokens.shape as [number, number, number];
    const map = reshape(permute(out.tokens, [0, 2, 1]), [n, c, ...out.grid]);
    const features = this.featureProjection.forward(map);
    return { features, stages: [features], pooled: out.pooled };
  }

  /**
   * Global embeddings g of bags: the pooled encoder outputs of each bag's instances averaged
   * (`owner[i]` = bag of instance i), then projected: [bags, embedDim]. With `rest`, the instances
   * given are a subset of bags of `sizes` instances and `rest` [bags, pooledChannels] is the (constant)
   * sum of the others' pooled outputs divided by the bag size.
   */
  bagEmbedding(
    pooled: Tensor,
    owner: readonly number[],
    bags: number,
    training = false,
    rest?: { sizes: readonly number[]; values: Float32Array },
  ): Tensor {
    const weights = tensor(bagMeanWeights(owner, bags, rest?.sizes), [bags, owner.length]);
    let mean = matmul(weights, pooled);
    if (rest) mean = add(mean, tensor(rest.values, [bags, pooled.shape[1]!]));
    return this.imageProjection.forward(mean, training);
  }

  /** Report embeddings t of token rows [rows, embedDim] (one row per report). */
  encodeText(batch: TokenBatch, training = false): Tensor {
    return this.textProjection.forward(this.textEncoder.forward(batch, training).pooled, training);
  }

  /**
   * Report embeddings t of reports split into chunks: the chunks' encoder outputs pooled with
   * `weights` [reports, rows] (see chunkPoolingWeights), then projected: [reports, embedDim].
   */
  encodeReports(batch: TokenBatch, weights: Float32Array, reports: number, training = false): Tensor {
    const pooled = this.textEncoder.forward(batch, training).pooled;
    return this.textProjection.forward(matmul(tensor(weights, [reports, batch.batch]), pooled), training);
  }

  /** Tag queries q_k from the encoded tag prompts: [K, embedDim]. */
  tagQueries(prompts: TokenBatch, training = false): Tensor {
    const prompted = this.queryProjection.forward(
      this.textEncoder.forward(prompts, training).pooled,
      training,
    );
    return add(l2Normalize(prompted), this.tagEmbedding);
  }

  /** Tag logits [N, K] of image features (and the decoder's last attention when asked). */
  recognise(features: Tensor, queries: Tensor, withAttention = false) {
    return this.mlr.forward(features, queries, withAttention);
  }

  /** The contrastive scale exp(log scale), clamped. */
  scale(): Tensor {
    return this.logitScale.forward();
  }
}

/** Averaging weights [bags, instances]: 1/size for the instances of each bag (sizes counted or given). */
export function bagMeanWeights(
  owner: readonly number[],
  bags: number,
  sizes?: readonly number[],
): Float32Array {
  const counts = new Float64Array(bags);
  if (sizes)
    sizes.forEach((s, b) => {
      counts[b] = s;
    });
  else for (const o of owner) counts[o]!++;
  const w = new Float32Array(bags * owner.length);
  owner.forEach((o, i) => {
    w[o * owner.length + i] = 1 / counts[o]!;
  });
  return w;
}
