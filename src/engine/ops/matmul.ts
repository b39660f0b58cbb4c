import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { add, sumToShape } from './arithmetic.js';
import { reshape } from './shape.js';

/**
 * Matrix product over the last two axes, batch axes broadcast (rank >= 2).
 * @example matmul(q, k, { transposeB: true }) // [B, H, T, d] x [B, H, S, d] -> [B, H, T, S]
 */
export function matmul(
  a: Tensor,
  b: Tensor,
  options: { transposeA?: boolean; transposeB?: boolean } = {},
): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul needs rank >= 2, got [${a.shape}] and [${b.shape}]`);
  const k1 = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const k2 = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  if (k1 !== k2) throw new Error(`matmul: inner sizes differ, [${a.shape}] and [${b.shape}]`);
  const y = runKernel1('MatMul', [a, b], { transposeA, transposeB });
  if (needsGrad(a, b)) {
    recordGrad('matmul', y, [a, b], (dy) => {
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (a.requiresGrad) {
        // C = op(A) op(B): dA = dC op(B)^T, transposed back when A was.
        const full = transposeA
          ? runKernel1('MatMul', [b, dy], { transposeA: transposeB, transposeB: true })
          : runKernel1('MatMul', [dy, b], { transposeA: false, transposeB: !transposeB });
        ga = owned(full, a.shape);
      }
      if (b.requiresGrad) {
        const full = transposeB
          ? runKernel1('MatMul', [dy, a], { transposeA: true, transposeB: transposeA })
          : runKernel1('MatMul', [a, dy], { transposeA: !transposeA, transposeB: false });
        gb = owned(full, b.shape);
      }
      return [ga, gb];
    });
  }
  return y;
}

function owned(g: Tensor, shape: readonly number[]): Tensor {
  const out = sumToShape(g, shape);
  if (out !== g) g.dispose();
  return out;
}

/**
 * y = x W^T + b over the last axis, PyTorch's nn.Linear layout: weight [out, in], bias [out].
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inFeatures = x.shape[x.rank - 1]!;
  const flat = reshape(x, [-1, inFeatures]);
  const y2 = matmul(flat, weight, { transposeB: true });
  const withBias = bias ? add(y2, bias) : y2;
  return reshape(withBias, [...x.shape.slice(0, -1), weight.shape[0]!]);
}
