import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { normalizeAxis } from './broadcast.js';

/** Softmax along `axis` (default: the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.rank);
  const y = runKernel1('Softmax', [x], { axis: a });
  if (needsGrad(x)) {
    recordGrad('softmax', y, [x], (dy) => {
      // dx = y (dy - sum(dy y))
      const p = runKernel1('Mul', [dy, y], {});
      const s = runKernel1('Sum', [p], { axes: [a], keepDims: true });
      const d = runKernel1('Sub', [dy, s], {});
      const g = runKernel1('Mul', [y, d], {});
      for (const t of [p, s, d]) t.dispose();
      return [g];
    });
  }
  return y;
}

/** log(softmax(x)) along `axis`, computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.rank);
  const y = runKernel1('LogSoftmax', [x], { axis: a });
  if (needsGrad(x)) {
    recordGrad('logSoftmax', y, [x], (dy) => {
      // dx = dy - exp(y) sum(dy)
      const s = runKernel1('Sum', [dy], { axes: [a], keepDims: true });
      const e = runKernel1('Exp', [y], {});
      const p = runKernel1('Mul', [e, s], {});
      const g = runKernel1('Sub', [dy, p], {});
      for (const t of [s, e, p]) t.dispose();
      return [g];
    });
  }
  return y;
}
