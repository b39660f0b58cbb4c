import { noGrad } from '../autograd.js';
import { mul } from '../ops/arithmetic.js';
import { sum } from '../ops/reduction.js';
import type { Parameter } from '../tensor.js';

/**
 * Scales all gradients so their global L2 norm is at most `maxNorm` (PyTorch's clip_grad_norm_,
 * factor maxNorm / (norm + 1e-6)). Returns the norm before clipping.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  return noGrad(() => {
    let total = 0;
    for (const p of params) {
      if (p.grad === null) continue;
      const sq = mul(p.grad, p.grad);
      const s = sum(sq);
      total += s.item();
      sq.dispose();
      s.dispose();
    }
    const norm = Math.sqrt(total);
    const factor = maxNorm / (norm + 1e-6);
    if (factor < 1) {
      for (const p of params) if (p.grad !== null) p.grad.assign(mul(p.grad, factor));
    }
    return norm;
  });
}
