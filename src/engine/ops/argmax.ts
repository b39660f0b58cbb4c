import type { Tensor } from '../tensor.js';
import { normalizeAxis } from './broadcast.js';

/** Index of the largest value along `axis` (first one on ties); shape: x's without `axis`. No gradient. */
export function argmax(x: Tensor, axis: number): Int32Array {
  const a = normalizeAxis(axis, x.rank);
  const values = x.data();
  const n = x.shape[a]!;
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      let bestValue = values[base]!;
      for (let j = 1; j < n; j++) {
        const v = values[base + j * inner]!;
        if (v > bestValue) {
          bestValue = v;
          best = j;
        }
      }
      out[o * inner + i] = best;
    }
  }
  return out;
}
