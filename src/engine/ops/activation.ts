import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';

export function relu(x: Tensor): Tensor {
  const y = runKernel1('Relu', [x], {});
  if (needsGrad(x)) recordGrad('relu', y, [x], (dy) => [runKernel1('ReluGrad', [dy, x], {})]);
  return y;
}

/** max(x, alpha x); PyTorch's default slope is 0.01. */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const y = runKernel1('LeakyRelu', [x], { alpha });
  if (needsGrad(x))
    recordGrad('leakyRelu', y, [x], (dy) => [runKernel1('LeakyReluGrad', [dy, x], { alpha })]);
  return y;
}

/** GELU, exact form x Φ(x) with the error function (PyTorch's default). */
export function gelu(x: Tensor): Tensor {
  const y = runKernel1('Gelu', [x], {});
  if (needsGrad(x)) recordGrad('gelu', y, [x], (dy) => [runKernel1('GeluGrad', [dy, x], {})]);
  return y;
}

export function sigmoid(x: Tensor): Tensor {
  const y = runKernel1('Sigmoid', [x], {});
  if (needsGrad(x)) {
    recordGrad('sigmoid', y, [x], (dy) => {
      // y (1 - y)
      const oneMinus = runKernel1('ScaleShift', [y], { scale: -1, shift: 1 });
      const d = runKernel1('Mul', [y, oneMinus], {});
      const g = runKernel1('Mul', [dy, d], {});
      oneMinus.dispose();
      d.dispose();
      return [g];
    });
  }
  return y;
}

export function tanh(x: Tensor): Tensor {
  const y = runKernel1('Tanh', [x], {});
  if (needsGrad(x)) {
    recordGrad('tanh', y, [x], (dy) => {
      // 1 - y²
      const y2 = runKernel1('Mul', [y, y], {});
      const d = runKernel1('ScaleShift', [y2], { scale: -1, shift: 1 });
      const g = runKernel1('Mul', [dy, d], {});
      y2.dispose();
      d.dispose();
      return [g];
    });
  }
  return y;
}
