import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';

export function neg(x: Tensor): Tensor {
  const y = runKernel1('Neg', [x], {});
  if (needsGrad(x)) recordGrad('neg', y, [x], (dy) => [runKernel1('Neg', [dy], {})]);
  return y;
}

export function exp(x: Tensor): Tensor {
  const y = runKernel1('Exp', [x], {});
  if (needsGrad(x)) recordGrad('exp', y, [x], (dy) => [runKernel1('Mul', [dy, y], {})]);
  return y;
}

/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  const y = runKernel1('Log', [x], {});
  if (needsGrad(x)) recordGrad('log', y, [x], (dy) => [runKernel1('Div', [dy, x], {})]);
  return y;
}

export function sqrt(x: Tensor): Tensor {
  const y = runKernel1('Sqrt', [x], {});
  if (needsGrad(x)) {
    recordGrad('sqrt', y, [x], (dy) => {
      const h = runKernel1('Div', [dy, y], {});
      const g = runKernel1('ScaleShift', [h], { scale: 0.5, shift: 0 });
      h.dispose();
      return [g];
    });
  }
  return y;
}

/** |x|; the gradient at 0 is 0, as in PyTorch. */
export function abs(x: Tensor): Tensor {
  const y = runKernel1('Abs', [x], {});
  if (needsGrad(x)) {
    recordGrad('abs', y, [x], (dy) => {
      const s = runKernel1('Sign', [x], {});
      const g = runKernel1('Mul', [dy, s], {});
      s.dispose();
      return [g];
    });
  }
  return y;
}

/** -1, 0 or 1 (no gradient). */
export function sign(x: Tensor): Tensor {
  return runKernel1('Sign', [x], {});
}

/** Limits x to [min, max]; the gradient passes where min <= x <= max (PyTorch semantics). */
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  const y = runKernel1('Clamp', [x], { min, max });
  if (needsGrad(x)) recordGrad('clamp', y, [x], (dy) => [runKernel1('ClampGrad', [dy, x], { min, max })]);
  return y;
}
