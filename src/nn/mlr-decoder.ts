/**
 * Multi-label recognition decoder in the Query2Label / ML-Decoder style (DESIGN.md §1): the tag
 * queries q_k (the text encoder's embeddings of the tag prompts, projected) pass through `layers`
 * blocks of multi-head cross-attention over the encoder's pixel/voxel features F — learned query,
 * key, value and output projections — each followed by a feed-forward block (pre-LN, residual), and
 * a group-wise linear layer gives one logit per tag. There is no self-attention between queries
 * (Recognize Anything's tagging head: 2 layers, 4 heads, none) and no term that lets the loss reach
 * the logits without going through the decoder.
 */
import {
  add,
  broadcastTo,
  mean,
  mul,
  type Parameter,
  permute,
  reshape,
  softmax,
  sum,
  type Tensor,
} from '../engine/index.js';
import { kaimingUniformParameter, normalParameter } from './init.js';
import { MultiHeadAttention } from './layers/attention.js';
import { LayerNorm } from './layers/norm.js';
import { Mlp } from './layers/transformer.js';

export interface MlrDecoderConfig {
  /** Width of the shared space of queries and features. */
  dim: number;
  /** Number of tags K. */
  tags: number;
  /** Cross-attention blocks (default 2). */
  layers?: number;
  /** Attention heads (default 4; must divide dim). */
  heads?: number;
}

export interface MlrDecoderOutput {
  /** One logit per tag: [N, K]. */
  logits: Tensor;
  /** Last block's cross-attention of each tag over pixels, averaged over heads: [N, K, P]. */
  attention: Tensor;
}

/** One decoder block: queries attend over pixels, then a feed-forward step, both residual (pre-LN). */
export class MlrDecoderLayer {
  readonly queryNorm: LayerNorm;
  readonly featureNorm: LayerNorm;
  readonly crossAttention: MultiHeadAttention;
  readonly mlpNorm: LayerNorm;
  readonly mlp: Mlp;

  constructor(dim: number, heads: number) {
    this.queryNorm = new LayerNorm(dim);
    this.featureNorm = new LayerNorm(dim);
    this.crossAttention = new MultiHeadAttention(dim, heads);
    this.mlpNorm = new LayerNorm(dim);
    this.mlp = new Mlp(dim, dim * 2);
  }

  /** h [N, K, d], pixels [N, P, d] → [N, K, d]. */
  forward(h: Tensor, pixels: Tensor): Tensor {
    const y = add(
      h,
      this.crossAttention.forward(this.queryNorm.forward(h), this.featureNorm.forward(pixels)),
    );
    return add(y, this.mlp.forward(this.mlpNorm.forward(y)));
  }

  /** The block's attention weights over pixels, averaged over heads: [N, K, P] (for inspection). */
  attentionWeights(h: Tensor, pixels: Tensor): Tensor {
    const a = this.crossAttention;
    const [n, k, d] = h.shape as [number, number, number];
    const p = pixels.shape[1]!;
    const heads = a.heads;
    const q = permute(
      reshape(a.query.forward(this.queryNorm.forward(h)), [n, k, heads, d / heads]),
      [0, 2, 1, 3],
    );
    const kk = permute(
      reshape(a.key.forward(this.featureNorm.forward(pixels)), [n, p, heads, d / heads]),
      [0, 2, 3, 1],
    );
    const scores = mul(
      sum(mul(reshape(q, [n, heads, k, d / heads, 1]), reshape(kk, [n, heads, 1, d / heads, p])), 3),
      1 / Math.sqrt(d / heads),
    );
    return mean(softmax(scores, -1), 1);
  }
}

export class MlrDecoder {
  readonly layers: MlrDecoderLayer[];
  readonly norm: LayerNorm;
  /** Group-wise linear classifier: a weight vector and bias per tag (Query2Label's GroupWiseLinear). */
  readonly classifierWeight: Parameter;
  readonly classifierBias: Parameter;

  constructor(readonly config: MlrDecoderConfig) {
    const { dim, tags } = config;
    const heads = config.heads ?? 4;
    if (dim % heads !== 0) throw new Error(`MLR decoder width ${dim} is not divisible by ${heads} heads`);
    this.layers = Array.from({ length: config.layers ?? 2 }, () => new MlrDecoderLayer(dim, heads));
    this.norm = new LayerNorm(dim);
    this.classifierWeight = normalParameter([tags, dim], 1 / Math.sqrt(dim));
    this.classifierBias = kaimingUniformParameter([tags], dim);
  }

  /** features [N, dim, ...spatial] in the query space; tagQueries [K, dim]. */
  forward(features: Tensor, tagQueries: Tensor, withAttention = false): MlrDecoderOutput {
    const [n, c] = features.shape as [number, number];
    const k = tagQueries.shape[0]!;
    const pixels = permute(reshape(features, [n, c, -1]), [0, 2, 1]); // [N, P, C]
    // The same K queries for every image: [K, C] broadcast to [N, K, C].
    let h = broadcastTo(reshape(tagQueries, [1, k, c]), [n, k, c]);
    let attention: Tensor | null = null;
    for (const [i, layer] of this.layers.entries()) {
      if (withAttention && i === this.layers.length - 1) attention = layer.attentionWeights(h, pixels);
      h = layer.forward(h, pixels);
    }
    h = this.norm.forward(h);
    const logits = add(sum(mul(h, this.classifierWeight), -1), this.classifierBias);
    return { logits, attention: attention ?? logits };
  }
}
