import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { normalizeAxis } from './broadcast.js';

/** Softmax along `axis` (default: the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.rank);
  const y = runKernel1('Softmax', [x], { axis: a });
  if (needsGrad(x)) {
    // dx = y (dy - sum(dy y)), one kernel
    recordGrad('softmax', y, [x], (dy) => [runKernel1('SoftmaxGrad', [dy, y], { axis: a })]);
  }
  return y;
}

/** log(softmax(x)) along `axis`, computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.rank);
  const y = runKernel1('LogSoftmax', [x], { axis: a });
  if (needsGrad(x)) {
    // dx = dy - exp(y) sum(dy), one kernel
    recordGrad('logSoftmax', y, [x], (dy) => [runKernel1('LogSoftmaxGrad', [dy, y], { axis: a })]);
  }
  return y;
}
