/**
 * The built-in text encoder T: a small pre-LN transformer over WordPiece ids, trained from scratch
 * with the corpus's own vocabulary (DESIGN.md §1). The report embedding is the [CLS] token or the
 * mean over real (unpadded) tokens.
 */
import { add, div, mul, type Parameter, reshape, slice, sum, type Tensor, tensor } from '../engine/index.js';
import { truncNormalParameter } from './init.js';
import { paddingMaskValues } from './layers/attention.js';
import { Embedding } from './layers/embedding.js';
import { LayerNorm } from './layers/norm.js';
import { TransformerEncoderLayer } from './layers/transformer.js';

export interface TextEncoderConfig {
  vocabSize: number;
  maxLength: number;
  hidden: number;
  depth: number;
  heads: number;
  mlpRatio?: number;
  dropout?: number;
  /** 'cls': the first token ([CLS]); 'mean': the mean over unpadded tokens. Default 'mean'. */
  pooling?: 'cls' | 'mean';
}

export const textEncoderPresets = {
  tiny: { maxLength: 64, hidden: 64, depth: 2, heads: 4 },
  small: { maxLength: 128, hidden: 256, depth: 4, heads: 4 },
} as const satisfies Record<string, Omit<TextEncoderConfig, 'vocabSize'>>;

/** Token ids and padding mask of a batch: row-major [batch, length]. */
export interface TokenBatch {
  ids: Int32Array;
  /** 1 for a real token, 0 for padding. */
  mask: Uint8Array;
  batch: number;
  length: number;
}

export interface TextEncoderOutput {
  /** [N, L, hidden]. */
  tokens: Tensor;
  /** [N, hidden]. */
  pooled: Tensor;
}

/** Mean over the unpadded tokens of [N, L, d] → [N, d]. */
export function maskedMean(tokens: Tensor, batch: TokenBatch): Tensor {
  const weights = new Float32Array(batch.batch * batch.length);
  for (let i = 0; i < weights.length; i++) weights[i] = batch.mask[i] ? 1 : 0;
  const w = tensor(weights, [batch.batch, batch.length, 1]);
  const counts = new Float32Array(batch.batch);
  for (let n = 0; n < batch.batch; n++)
    for (let t = 0; t < batch.length; t++) counts[n]! += weights[n * batch.length + t]!;
  for (let n = 0; n < batch.batch; n++) counts[n] = Math.max(1, counts[n]!);
  return div(sum(mul(tokens, w), 1), tensor(counts, [batch.batch, 1]));
}

export class TextEncoder {
  readonly tokenEmbedding: Embedding;
  readonly positionEmbedding: Parameter;
  readonly blocks: TransformerEncoderLayer[];
  readonly norm: LayerNorm;

  constructor(readonly config: TextEncoderConfig) {
    this.tokenEmbedding = new Embedding(config.vocabSize, config.hidden, 0.02);
    this.positionEmbedding = truncNormalParameter([1, config.maxLength, config.hidden], 0.02);
    this.blocks = Array.from(
      { length: config.depth },
      () =>
        new TransformerEncoderLayer(config.hidden, config.heads, {
          mlpRatio: config.mlpRatio,
          dropout: config.dropout,
        }),
    );
    this.norm = new LayerNorm(config.hidden);
  }

  get outChannels(): number {
    return this.config.hidden;
  }

  forward(batch: TokenBatch, training = false): TextEncoderOutput {
    if (batch.length > this.config.maxLength)
      throw new Error(`text longer than the encoder's ${this.config.maxLength} positions`);
    const tokens0 = this.tokenEmbedding.forward(batch.ids, [batch.batch, batch.length]);
    const positions =
      batch.length === this.config.maxLength
        ? this.positionEmbedding
        : slice(this.positionEmbedding, [0, 0, 0], [1, batch.length, -1]);
    let y = add(tokens0, positions);
    const mask = tensor(paddingMaskValues(batch.mask, batch.batch, batch.length), [
      batch.batch,
      1,
      1,
      batch.length,
    ]);
    for (const block of this.blocks) y = block.forward(y, mask, training);
    const tokens = this.norm.forward(y);
    const pooled =
      this.config.pooling === 'cls'
        ? reshape(slice(tokens, [0, 0, 0], [-1, 1, -1]), [batch.batch, this.config.hidden])
        : maskedMean(tokens, batch);
    return { tokens, pooled };
  }
}
