import type { TensorInfo } from '../../backend.js';
import type { KernelName } from '../../kernel-names.js';
import { registerKernel } from '../../kernel-registry.js';
import { broadcastShapes } from '../../ops/broadcast.js';
import type { NativeAddon, NativeHandle } from './addon.js';
import { asShape, BACKEND_NAME, handle, MAX_RANK, result, viaReference, withRank } from './kernel-helpers.js';
import { nativeDims } from './storage.js';

type UnaryName = 'Relu' | 'Gelu' | 'Sigmoid' | 'Tanh' | 'Exp' | 'Log' | 'Sqrt' | 'Abs' | 'Neg';

/**
 * Element-wise, broadcasting, reduction, softmax, matmul, shape and optimizer kernels. Element-wise
 * kernels run in their input's layout, so they keep blocked activations blocked.
 */
export function registerElementwiseKernels(addon: NativeAddon): void {
  const unary = (name: KernelName, op: string, alpha: number, beta: number) =>
    registerKernel(BACKEND_NAME, name as UnaryName, ([x]) =>
      result(x!.shape, addon.eltwise([handle(x!)], { op, alpha, beta })),
    );
  unary('Relu', 'relu', 0, 0);
  unary('Gelu', 'gelu_erf', 0, 0);
  unary('Sigmoid', 'sigmoid', 0, 0);
  unary('Tanh', 'tanh', 0, 0);
  unary('Exp', 'exp', 0, 0);
  unary('Log', 'log', 0, 0);
  unary('Sqrt', 'sqrt', 0, 0);
  unary('Abs', 'abs', 0, 0);
  unary('Neg', 'linear', -1, 0);
  registerKernel(BACKEND_NAME, 'LeakyRelu', ([x], { alpha }) =>
    result(x!.shape, addon.eltwise([handle(x!)], { op: 'relu', alpha: alpha, beta: 0 })),
  );
  registerKernel(BACKEND_NAME, 'ScaleShift', ([x], { scale, shift }) =>
    result(x!.shape, addon.eltwise([handle(x!)], { op: 'linear', alpha: scale, beta: shift })),
  );
  registerKernel(BACKEND_NAME, 'Clamp', ([x], { min, max }) =>
    result(x!.shape, addon.eltwise([handle(x!)], { op: 'clip', alpha: min, beta: max })),
  );
  registerKernel(BACKEND_NAME, 'PowScalar', ([x], { exponent }) =>
    result(x!.shape, addon.eltwise([handle(x!)], { op: 'pow', alpha: 1, beta: exponent })),
  );
  registerKernel(BACKEND_NAME, 'ReluGrad', ([dy, x]) =>
    result(x!.shape, addon.eltwiseBackward([handle(dy!), handle(x!)], { op: 'relu', alpha: 0, beta: 0 })),
  );
  registerKernel(BACKEND_NAME, 'LeakyReluGrad', ([dy, x], { alpha }) =>
    result(x!.shape, addon.eltwiseBackward([handle(dy!), handle(x!)], { op: 'relu', alpha: alpha, beta: 0 })),
  );
  registerKernel(BACKEND_NAME, 'GeluGrad', ([dy, x]) =>
    result(x!.shape, addon.eltwiseBackward([handle(dy!), handle(x!)], { op: 'gelu_erf', alpha: 0, beta: 0 })),
  );

  for (const [name, op] of [
    ['Add', 'add'],
    ['Sub', 'sub'],
    ['Mul', 'mul'],
    ['Div', 'div'],
    ['Maximum', 'max'],
    ['Minimum', 'min'],
  ] as const) {
    registerKernel(BACKEND_NAME, name, (inputs, attrs, backend) => {
      const [a, b] = inputs as [TensorInfo, TensorInfo];
      const shape = broadcastShapes(a.shape, b.shape);
      const rank = Math.max(shape.length, 1);
      if (rank > MAX_RANK) return viaReference(name, inputs, attrs, backend);
      const va = withRank(addon, a, rank);
      const vb = withRank(addon, b, rank);
      try {
        return asShape(addon, addon.binary([va.h, vb.h], { op }), shape);
      } finally {
        if (va.view) addon.dispose(va.h);
        if (vb.view) addon.dispose(vb.h);
      }
    });
  }

  registerKernel(BACKEND_NAME, 'BroadcastTo', (inputs, attrs, backend) => {
    const x = inputs[0]!;
    const rank = Math.max(attrs.shape.length, 1);
    if (rank > MAX_RANK) return viaReference('BroadcastTo', inputs, attrs, backend);
    const v = withRank(addon, x, rank);
    try {
      return asShape(addon, addon.broadcastTo([v.h], { dims: nativeDims(attrs.shape) }), attrs.shape);
    } finally {
      if (v.view) addon.dispose(v.h);
    }
  });

  registerKernel(BACKEND_NAME, 'Sum', (inputs, attrs, backend) => {
    const x = inputs[0]!;
    if (x.shape.length === 0 || x.shape.length > MAX_RANK) return viaReference('Sum', inputs, attrs, backend);
    const axes = new Set(attrs.axes.map((a) => (a < 0 ? a + x.shape.length : a)));
    const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
    const shape = attrs.keepDims ? kept : x.shape.filter((_, i) => !axes.has(i));
    return asShape(addon, addon.reduceSum([handle(x)], { dims: kept }), shape);
  });

  registerKernel(BACKEND_NAME, 'Softmax', ([x], { axis }) =>
    result(x!.shape, addon.softmax([handle(x!)], { axis, log: false })),
  );
  registerKernel(BACKEND_NAME, 'LogSoftmax', ([x], { axis }) =>
    result(x!.shape, addon.softmax([handle(x!)], { axis, log: true })),
  );
  // One primitive for the whole gradient instead of Sum, Exp, Mul and Sub kernels, each of which
  // would run reference loops on plain copies when channels pad a 16-block (e.g. 14 class logits).
  registerKernel(BACKEND_NAME, 'SoftmaxGrad', ([dy, y], { axis }) =>
    result(y!.shape, addon.softmaxBackward([handle(dy!), handle(y!)], { axis, log: false })),
  );
  registerKernel(BACKEND_NAME, 'LogSoftmaxGrad', ([dy, y], { axis }) =>
    result(y!.shape, addon.softmaxBackward([handle(dy!), handle(y!)], { axis, log: true })),
  );

  registerKernel(BACKEND_NAME, 'MatMul', (inputs, attrs, backend) => {
    const [a, b] = inputs as [TensorInfo, TensorInfo];
    const rank = Math.max(a.shape.length, b.shape.length);
    if (a.shape.length < 2 || b.shape.length < 2 || rank > MAX_RANK) {
      return viaReference('MatMul', inputs, attrs, backend);
    }
    const va = withRank(addon, a, rank);
    const vb = withRank(addon, b, rank);
    try {
      const y = addon.matmul([va.h, vb.h], attrs);
      return result(addon.dims(y), y);
    } finally {
      if (va.view) addon.dispose(va.h);
      if (vb.view) addon.dispose(vb.h);
    }
  });

  // Max over all spatial axes (pooled encoder features) straight from the blocked layout.
  registerKernel(BACKEND_NAME, 'Max', (inputs, attrs, backend) => {
    const x = inputs[0]!;
    const rank = x.shape.length;
    const spatial = rank >= 3 && rank <= 5 && attrs.axes.length === rank - 2;
    const axes = new Set(attrs.axes.map((a) => (a < 0 ? a + rank : a)));
    const y = spatial && [...axes].every((a) => a >= 2) ? addon.spatialMax([handle(x)], {}) : null;
    if (y === null) return viaReference('Max', inputs, attrs, backend);
    const shape = attrs.keepDims
      ? [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)]
      : x.shape.slice(0, 2);
    return asShape(addon, y, shape);
  });

  registerKernel(BACKEND_NAME, 'Permute', (inputs, attrs, backend) => {
    const x = inputs[0]!;
    if (x.shape.length < 2 || x.shape.length > MAX_RANK)
      return viaReference('Permute', inputs, attrs, backend);
    return result(
      attrs.perm.map((p) => x.shape[p]!),
      addon.permute([handle(x)], attrs),
    );
  });

  registerKernel(BACKEND_NAME, 'Reshape', ([x], { shape }) =>
    result(shape, addon.reshape(handle(x!), nativeDims(shape))),
  );

  registerKernel(BACKEND_NAME, 'Concat', (inputs, attrs, backend) => {
    if (inputs[0]!.shape.length === 0) return viaReference('Concat', inputs, attrs, backend);
    const y = addon.concat(
      inputs.map((i) => handle(i)),
      attrs,
    );
    return result(addon.dims(y), y);
  });

  registerKernel(BACKEND_NAME, 'Slice', ([x], { begin, size }) =>
    result(size, addon.slice([handle(x!)], { offsets: begin, dims: size })),
  );

  registerKernel(BACKEND_NAME, 'AdamW', ([param, grad, m, v], a) => {
    const out: NativeHandle[] = addon.adamw([handle(param!), handle(grad!), handle(m!), handle(v!)], a);
    return out.map((h) => result(param!.shape, h));
  });
}
