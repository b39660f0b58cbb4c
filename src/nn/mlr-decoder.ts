/**
 * Multi-label recognition decoder, Query2Label style (DESIGN.md §1): each tag query q_k (the text
 * encoder's embedding of the tag prompt, projected) cross-attends over the encoder's pixel/voxel
 * features F and a group-wise linear layer gives one logit per tag.
 *
 * The cross-attention weights are softmax over pixels of cos(q_k, F(p))/τ — the same similarity that
 * the pixel-tag attention maps normalise over tags instead. Tying them this way is our choice where
 * the paper's abstract is silent: it is what makes the recognition loss shape the maps, so a tag's map
 * lights up where the evidence for that tag is.
 */
import {
  add,
  exp,
  log,
  matmul,
  mul,
  type Parameter,
  permute,
  reshape,
  softmax,
  sub,
  sum,
  type Tensor,
} from '../engine/index.js';
import { kaimingUniformParameter } from './init.js';
import { LayerNorm } from './layers/norm.js';
import { Mlp } from './layers/transformer.js';
import { tagSimilarity } from './pixel-tag-attention.js';

export interface MlrDecoderConfig {
  /** Width of the shared space of queries and features. */
  dim: number;
  /** Number of tags K. */
  tags: number;
  /** Temperature of the cosine cross-attention. Default 0.1. */
  tau?: number;
}

export interface MlrDecoderOutput {
  /** One logit per tag: [N, K]. */
  logits: Tensor;
  /** Attention of each tag over pixels: [N, K, P]. */
  attention: Tensor;
}

export class MlrDecoder {
  /**
   * Values are a small MLP of the features, not a linear map: while the attention is still nearly
   * uniform, the pooled value is then a mean of non-linear local detectors (which still says what is
   * in the image), where a linear value would be a linear map of the mean feature — nearly the same
   * for every image after the encoder's instance norm.
   */
  readonly value: Mlp;
  readonly norm1: LayerNorm;
  readonly mlp: Mlp;
  readonly norm2: LayerNorm;
  /** Group-wise linear classifier: a weight vector and bias per tag (Query2Label's GroupWiseLinear). */
  readonly classifierWeight: Parameter;
  readonly classifierBias: Parameter;
  readonly tau: number;

  constructor(readonly config: MlrDecoderConfig) {
    const { dim, tags } = config;
    this.value = new Mlp(dim, dim * 2);
    this.norm1 = new LayerNorm(dim);
    this.mlp = new Mlp(dim, dim * 2);
    this.norm2 = new LayerNorm(dim);
    this.classifierWeight = kaimingUniformParameter([tags, dim], dim);
    this.classifierBias = kaimingUniformParameter([tags], dim);
    this.tau = config.tau ?? 0.1;
  }

  /** features [N, dim, ...spatial] in the query space; tagQueries [K, dim]. */
  forward(features: Tensor, tagQueries: Tensor): MlrDecoderOutput {
    const [n, c] = features.shape as [number, number];
    const similarity = tagSimilarity(features, tagQueries, this.tau); // [N, K, P]
    const attention = softmax(similarity, -1);
    const pixels = permute(reshape(features, [n, c, -1]), [0, 2, 1]); // [N, P, C]
    const pooled = matmul(attention, this.value.forward(pixels)); // [N, K, C]
    let h = add(pooled, tagQueries);
    h = add(h, this.mlp.forward(this.norm1.forward(h)));
    h = this.norm2.forward(h);
    const decoded = add(sum(mul(h, this.classifierWeight), -1), this.classifierBias);
    // Plus a soft maximum over pixels of the tag's cosine similarity (log-mean-exp of cos/τ): a tag
    // can only score high where some pixel's feature points at its query, which is what localises
    // the pixel-tag attention maps (multiple-instance learning at the pixel level).
    const pixelCount = similarity.shape[2]!;
    const softMax = sub(log(sum(exp(similarity), -1)), Math.log(pixelCount));
    return { logits: add(decoded, softMax), attention };
  }
}
