import type { TensorInfo } from '../../backend.js';
import { registerKernel } from '../../kernel-registry.js';
import { broadcastShapes } from '../../ops/broadcast.js';
import { broadcastStrides, rowOffsets, sizeOf } from './layout.js';
import { values } from './storage.js';

type Binary = (a: number, b: number) => number;
type Unary = (x: number) => number;

/** The four arithmetic kernels get their own loops: a shared loop calling `f` is several times slower. */
type Arithmetic = 'add' | 'sub' | 'mul' | 'div';

/** out[o + j] = a[pa + j·la] op b[pb + j·lb] for j < n. */
function arithmeticRow(
  op: Arithmetic,
  a: Float32Array,
  pa: number,
  la: number,
  b: Float32Array,
  pb: number,
  lb: number,
  out: Float32Array,
  o: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++, pa += la, pb += lb) out[o + j] = a[pa]! + b[pb]!;
      return;
    case 'sub':
      for (let j = 0; j < n; j++, pa += la, pb += lb) out[o + j] = a[pa]! - b[pb]!;
      return;
    case 'mul':
      for (let j = 0; j < n; j++, pa += la, pb += lb) out[o + j] = a[pa]! * b[pb]!;
      return;
    case 'div':
      for (let j = 0; j < n; j++, pa += la, pb += lb) out[o + j] = a[pa]! / b[pb]!;
      return;
  }
}

/**
 * A broadcasting binary kernel. The same-shape and scalar cases are one row; otherwise each row
 * of the output's last axis is one call, with 0 strides along broadcast axes.
 */
function binary(f: Binary, op?: Arithmetic): (inputs: readonly TensorInfo[]) => TensorInfo {
  const row = (
    a: Float32Array,
    pa: number,
    la: number,
    b: Float32Array,
    pb: number,
    lb: number,
    out: Float32Array,
    o: number,
    n: number,
  ): void => {
    if (op !== undefined) arithmeticRow(op, a, pa, la, b, pb, lb, out, o, n);
    else for (let j = 0; j < n; j++, pa += la, pb += lb) out[o + j] = f(a[pa]!, b[pb]!);
  };
  return ([ia, ib]) => {
    const a = values(ia!);
    const b = values(ib!);
    const shape = broadcastShapes(ia!.shape, ib!.shape);
    const out = new Float32Array(sizeOf(shape));
    if (a.length === out.length && b.length === out.length) row(a, 0, 1, b, 0, 1, out, 0, out.length);
    else if (b.length === 1 && a.length === out.length) row(a, 0, 1, b, 0, 0, out, 0, out.length);
    else if (a.length === 1 && b.length === out.length) row(a, 0, 0, b, 0, 1, out, 0, out.length);
    else {
      const sa = broadcastStrides(ia!.shape, shape);
      const sb = broadcastStrides(ib!.shape, shape);
      const [oa, ob] = rowOffsets(shape, [sa, sb]);
      const n = shape[shape.length - 1] ?? 1;
      const la = sa[sa.length - 1] ?? 0;
      const lb = sb[sb.length - 1] ?? 0;
      for (let r = 0; r < oa!.length; r++) row(a, oa![r]!, la, b, ob![r]!, lb, out, r * n, n);
    }
    return { shape, storage: out };
  };
}

function unary(f: Unary): (inputs: readonly TensorInfo[]) => TensorInfo {
  return ([ix]) => {
    const x = values(ix!);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
    return { shape: ix!.shape, storage: out };
  };
}

/** Kernels taking [dy, x] of equal shapes. */
function gradient(f: Binary): (inputs: readonly TensorInfo[]) => TensorInfo {
  return ([idy, ix]) => {
    const dy = values(idy!);
    const x = values(ix!);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(dy[i]!, x[i]!);
    return { shape: ix!.shape, storage: out };
  };
}

/** erf with |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit), enough for float32. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

const invSqrt2 = Math.SQRT1_2;
const invSqrt2Pi = 1 / Math.sqrt(2 * Math.PI);

const R = 'reference';
registerKernel(
  R,
  'Add',
  binary((a, b) => a + b),
);
registerKernel(
  R,
  'Sub',
  binary((a, b) => a - b),
);
registerKernel(
  R,
  'Mul',
  binary((a, b) => a * b),
);
registerKernel(
  R,
  'Div',
  binary((a, b) => a / b),
);
registerKernel(
  R,
  'Pow',
  binary((a, b) => a ** b),
);
registerKernel(
  R,
  'Maximum',
  binary((a, b) => Math.max(a, b)),
);
registerKernel(
  R,
  'Minimum',
  binary((a, b) => Math.min(a, b)),
);
registerKernel(
  R,
  'Equal',
  binary((a, b) => (a === b ? 1 : 0)),
);
registerKernel(
  R,
  'Greater',
  binary((a, b) => (a > b ? 1 : 0)),
);

registerKernel(
  R,
  'Neg',
  unary((x) => -x),
);
registerKernel(R, 'Exp', unary(Math.exp));
registerKernel(R, 'Log', unary(Math.log));
registerKernel(R, 'Sqrt', unary(Math.sqrt));
registerKernel(R, 'Abs', unary(Math.abs));
registerKernel(
  R,
  'Sign',
  unary((x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
);
// The hottest unary kernels of a conv net get their own loops (see arithmeticRow).
registerKernel(R, 'Relu', ([ix]) => {
  const x = values(ix!);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(x[i]!, 0);
  return { shape: ix!.shape, storage: out };
});
registerKernel(
  R,
  'Gelu',
  unary((x) => 0.5 * x * (1 + erf(x * invSqrt2))),
);
registerKernel(
  R,
  'Sigmoid',
  unary((x) => 1 / (1 + Math.exp(-x))),
);
registerKernel(R, 'Tanh', unary(Math.tanh));
registerKernel(R, 'LeakyRelu', (inputs, { alpha }) => unary((x) => (x > 0 ? x : alpha * x))(inputs));
registerKernel(R, 'Clamp', (inputs, { min, max }) =>
  unary((x) => (x < min ? min : Math.min(x, max)))(inputs),
);
registerKernel(R, 'ScaleShift', ([ix], { scale, shift }) => {
  const x = values(ix!);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = scale * x[i]! + shift;
  return { shape: ix!.shape, storage: out };
});
registerKernel(R, 'PowScalar', (inputs, { exponent }) => {
  if (exponent === 2) return unary((x) => x * x)(inputs);
  if (exponent === 1) return unary((x) => x)(inputs);
  if (exponent === -0.5) return unary((x) => 1 / Math.sqrt(x))(inputs);
  return unary((x) => x ** exponent)(inputs);
});

registerKernel(R, 'ReluGrad', ([idy, ix]) => {
  const dy = values(idy!);
  const x = values(ix!);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! > 0 ? dy[i]! : 0;
  return { shape: ix!.shape, storage: out };
});
registerKernel(R, 'LeakyReluGrad', (inputs, { alpha }) =>
  gradient((dy, x) => (x > 0 ? dy : alpha * dy))(inputs),
);
registerKernel(
  R,
  'GeluGrad',
  gradient((dy, x) => dy * (0.5 * (1 + erf(x * invSqrt2)) + x * invSqrt2Pi * Math.exp(-0.5 * x * x))),
);
registerKernel(R, 'ClampGrad', (inputs, { min, max }) =>
  gradient((dy, x) => (x >= min && x <= max ? dy : 0))(inputs),
);

registerKernel(R, 'BroadcastTo', ([ix], { shape }) => {
  const x = values(ix!);
  broadcastShapes(ix!.shape, shape);
  const out = new Float32Array(sizeOf(shape));
  const sx = broadcastStrides(ix!.shape, shape);
  const [ox] = rowOffsets(shape, [sx]);
  const n = shape[shape.length - 1] ?? 1;
  const l = sx[sx.length - 1] ?? 0;
  for (let row = 0; row < ox!.length; row++) {
    let p = ox![row]!;
    for (let j = 0; j < n; j++, p += l) out[row * n + j] = x[p]!;
  }
  return { shape: [...shape], storage: out };
});
