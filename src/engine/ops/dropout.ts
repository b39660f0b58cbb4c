import { tensor } from '../creation.js';
import { getRng, type Rng } from '../random.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';

/**
 * Inverted dropout: zeroes each value with probability p and scales the rest by 1/(1-p); identity
 * when not training. The mask comes from the seeded generator, so runs repeat exactly.
 */
export function dropout(x: Tensor, p: number, training = true, rng: Rng = getRng()): Tensor {
  if (p < 0 || p >= 1) throw new Error(`dropout probability ${p} outside [0, 1)`);
  if (!training || p === 0) return x;
  const mask = new Float32Array(x.size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : scale;
  const m = tensor(mask, x.shape);
  return mul(x, m);
}
