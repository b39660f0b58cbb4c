/**
 * The networks of MOSMOS pre-training put together (DESIGN.md §1): image encoder E (2D residual
 * U-Net encoder or UNETR's ViT), text encoder T, projection heads for g, t, the pixel features F and
 * the tag queries q_k, the multi-label recognition decoder and the learnable contrastive temperature.
 * Parameter names (`imageEncoder.…`, `textEncoder.…`) are the safetensors keys fine-tuning loads.
 */
import { add, type Parameter, permute, reshape, type Tensor } from '../engine/index.js';
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
  /** Temperature of the cosine similarity in MLR cross-attention and the attention maps. */
  tau?: number;
}

export interface ImageEncoding {
  /** Pixel/voxel features in the shared space: [N, embedDim, ...spatial]. */
  features: Tensor;
  /** Global embedding g: [N, embedDim]. */
  global: Tensor;
}

export class MosmosModel {
  readonly imageEncoder: UNet2dEncoder | ViT;
  readonly textEncoder: ReportEncoder;
  readonly imageProjection: ProjectionHead;
  readonly textProjection: ProjectionHead;
  readonly featureProjection: Conv;
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
    this.queryProjection = new ProjectionHead(textWidth, config.embedDim, { batchNorm: false });
    // Components N(0, 1/d): a vector of about unit length, like the normalised prompt embedding.
    this.tagEmbedding = normalParameter(
      [config.tags.length, config.embedDim],
      1 / Math.sqrt(config.embedDim),
    );
    this.mlr = new MlrDecoder({ dim: config.embedDim, tags: config.tags.length, tau: config.tau });
    this.logitScale = new LogitScale();
  }

  /** The spatial down-sampling from input to features (2D: per axis of a slice; 3D: the patch size). */
  get featureStride(): number {
    return this.imageEncoder instanceof UNet2dEncoder
      ? this.imageEncoder.reduction
      : this.imageEncoder.config.patchSize;
  }

  /** 2D: images [N, C, H, W] (slices); 3D: [N, C, D, H, W] patches. */
  encodeImage(x: Tensor, training = false): ImageEncoding {
    if (this.imageEncoder instanceof UNet2dEncoder) {
      const out = this.imageEncoder.forward(x);
      return {
        features: this.featureProjection.forward(out.deepest),
        global: this.imageProjection.forward(out.pooled, training),
      };
    }
    const out = this.imageEncoder.forward(x, training);
    const [n, , c] = out.tokens.shape as [number, number, number];
    const map = reshape(permute(out.tokens, [0, 2, 1]), [n, c, ...out.grid]);
    return {
      features: this.featureProjection.forward(map),
      global: this.imageProjection.forward(out.pooled, training),
    };
  }

  /** Report embeddings t: [N, embedDim]. */
  encodeText(batch: TokenBatch, training = false): Tensor {
    return this.textProjection.forward(this.textEncoder.forward(batch, training).pooled, training);
  }

  /** Tag queries q_k from the encoded tag prompts: [K, embedDim]. */
  tagQueries(prompts: TokenBatch, training = false): Tensor {
    const prompted = this.queryProjection.forward(
      this.textEncoder.forward(prompts, training).pooled,
      training,
    );
    return add(l2Normalize(prompted), this.tagEmbedding);
  }

  /** Tag logits [N, K] and pixel attention [N, K, P] of image features. */
  recognise(features: Tensor, queries: Tensor) {
    return this.mlr.forward(features, queries);
  }

  /** The contrastive scale exp(log scale), clamped. */
  scale(): Tensor {
    return this.logitScale.forward();
  }
}
