import { permute, reshape, scaledDotProductAttention, type Tensor } from '../../engine/index.js';
import { Linear } from './linear.js';

/** [N, T, heads·dh] → [N, heads, T, dh]. */
function splitHeads(x: Tensor, heads: number): Tensor {
  const [n, t, d] = x.shape as [number, number, number];
  return permute(reshape(x, [n, t, heads, d / heads]), [0, 2, 1, 3]);
}

/**
 * Attention of already-projected queries [N, T, d] over keys/values [N, S, d], split into `heads`;
 * `mask` is additive, broadcast to [N, heads, T, S] (e.g. [N, 1, 1, S] with -1e9 at padding).
 */
export function multiHeadAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  heads: number,
  mask?: Tensor | null,
): Tensor {
  const [n, t, d] = q.shape as [number, number, number];
  const y = scaledDotProductAttention(splitHeads(q, heads), splitHeads(k, heads), splitHeads(v, heads), {
    mask,
  });
  return reshape(permute(y, [0, 2, 1, 3]), [n, t, d]);
}

/** Multi-head attention with query/key/value/output projections (self- or cross-attention). */
export class MultiHeadAttention {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly out: Linear;

  constructor(
    readonly dim: number,
    readonly heads: number,
  ) {
    if (dim % heads !== 0) throw new Error(`attention width ${dim} is not divisible by ${heads} heads`);
    this.query = new Linear(dim, dim);
    this.key = new Linear(dim, dim);
    this.value = new Linear(dim, dim);
    this.out = new Linear(dim, dim);
  }

  /** x [N, T, d] attends over `context` [N, S, d] (default: itself). */
  forward(x: Tensor, context: Tensor = x, mask?: Tensor | null): Tensor {
    const y = multiHeadAttention(
      this.query.forward(x),
      this.key.forward(context),
      this.value.forward(context),
      this.heads,
      mask,
    );
    return this.out.forward(y);
  }
}

/** Additive key mask [N, 1, 1, S] from a 1/0 padding mask (1 = real token): 0 or -1e9. */
export function paddingMaskValues(mask: Uint8Array, batch: number, length: number): Float32Array {
  const out = new Float32Array(batch * length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] ? 0 : -1e9;
  return out;
}
