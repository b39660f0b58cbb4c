import type { Tensor } from '../tensor.js';
import { add, mul } from './arithmetic.js';
import { matmul } from './matmul.js';
import { softmax } from './softmax.js';

/**
 * softmax(q kᵀ · scale + mask) v over the last two axes: q [..., T, d], k [..., S, d], v [..., S, dv].
 * `mask` is additive and broadcast to [..., T, S] (use a large negative value such as -1e9 to hide a key).
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: { mask?: Tensor | null; scale?: number } = {},
): Tensor {
  const scale = options.scale ?? 1 / Math.sqrt(q.shape[q.rank - 1]!);
  const scores = mul(matmul(q, k, { transposeB: true }), scale);
  const masked = options.mask ? add(scores, options.mask) : scores;
  return matmul(softmax(masked, -1), v);
}
