import { add, gelu, type Tensor } from '../../engine/index.js';
import { MultiHeadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';

/** Two linear layers with GELU between (the transformer's feed-forward block). */
export class Mlp {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly dropout: Dropout;

  constructor(dim: number, hidden: number, dropout = 0) {
    this.fc1 = new Linear(dim, hidden);
    this.fc2 = new Linear(hidden, dim);
    this.dropout = new Dropout(dropout);
  }

  forward(x: Tensor, training = false): Tensor {
    return this.dropout.forward(this.fc2.forward(gelu(this.fc1.forward(x))), training);
  }
}

/**
 * Pre-LN transformer encoder layer (ViT / UNETR, GPT-2 style): x + attn(LN(x)), then x + mlp(LN(x)).
 * Pre-LN trains stably without learning-rate warm-up tricks, which matters on small CPU runs.
 */
export class TransformerEncoderLayer {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;
  readonly dropout: Dropout;

  constructor(
    dim: number,
    heads: number,
    options: { mlpRatio?: number; dropout?: number; epsilon?: number } = {},
  ) {
    this.norm1 = new LayerNorm(dim, options.epsilon ?? 1e-5);
    this.attn = new MultiHeadAttention(dim, heads);
    this.norm2 = new LayerNorm(dim, options.epsilon ?? 1e-5);
    this.mlp = new Mlp(dim, Math.round(dim * (options.mlpRatio ?? 4)), options.dropout ?? 0);
    this.dropout = new Dropout(options.dropout ?? 0);
  }

  /** x [N, T, d]; `mask` additive over keys (see paddingMaskValues). */
  forward(x: Tensor, mask?: Tensor | null, training = false): Tensor {
    const h = this.norm1.forward(x);
    const y = add(x, this.dropout.forward(this.attn.forward(h, h, mask), training));
    return add(y, this.mlp.forward(this.norm2.forward(y), training));
  }
}
