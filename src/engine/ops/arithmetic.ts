import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import { sameShape, type Tensor } from '../tensor.js';
import { broadcastAxes } from './broadcast.js';
import { sum } from './reduction.js';
import { reshape } from './shape.js';

/** Sums a broadcast gradient back to `shape`. Returns `g` itself when nothing was broadcast. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const axes = broadcastAxes(shape, g.shape);
  const reduced = sum(g, axes, true);
  const out = reshape(reduced, shape);
  if (out !== reduced) reduced.dispose();
  return out;
}

/** y = scale * x + shift, elementwise. */
export function scaleShift(x: Tensor, scale: number, shift = 0): Tensor {
  const y = runKernel1('ScaleShift', [x], { scale, shift });
  if (needsGrad(x))
    recordGrad('scaleShift', y, [x], (dy) => [runKernel1('ScaleShift', [dy], { scale, shift: 0 })]);
  return y;
}

/** a + b with broadcasting; b may be a number. */
export function add(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') return scaleShift(a, 1, b);
  const y = runKernel1('Add', [a, b], {});
  if (needsGrad(a, b))
    recordGrad('add', y, [a, b], (dy) => [sumToShape(dy, a.shape), sumToShape(dy, b.shape)]);
  return y;
}

/** a - b with broadcasting; b may be a number. */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') return scaleShift(a, 1, -b);
  const y = runKernel1('Sub', [a, b], {});
  if (needsGrad(a, b)) {
    recordGrad('sub', y, [a, b], (dy) => {
      const gb = b.requiresGrad ? sumToShapeOwned(runKernel1('Neg', [dy], {}), b.shape) : null;
      return [sumToShape(dy, a.shape), gb];
    });
  }
  return y;
}

/** a * b with broadcasting; b may be a number. */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') return scaleShift(a, b, 0);
  const y = runKernel1('Mul', [a, b], {});
  if (needsGrad(a, b)) {
    recordGrad('mul', y, [a, b], (dy) => [
      a.requiresGrad ? sumToShapeOwned(runKernel1('Mul', [dy, b], {}), a.shape) : null,
      b.requiresGrad ? sumToShapeOwned(runKernel1('Mul', [dy, a], {}), b.shape) : null,
    ]);
  }
  return y;
}

/** a / b with broadcasting; b may be a number. */
export function div(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') return scaleShift(a, 1 / b, 0);
  const y = runKernel1('Div', [a, b], {});
  if (needsGrad(a, b)) {
    recordGrad('div', y, [a, b], (dy) => {
      const ga = a.requiresGrad ? sumToShapeOwned(runKernel1('Div', [dy, b], {}), a.shape) : null;
      let gb: Tensor | null = null;
      if (b.requiresGrad) {
        // d(a/b)/db = -y / b
        const t = runKernel1('Mul', [dy, y], {});
        const u = runKernel1('Div', [t, b], {});
        t.dispose();
        gb = sumToShapeOwned(runKernel1('Neg', [u], {}), b.shape);
        u.dispose();
      }
      return [ga, gb];
    });
  }
  return y;
}

/** a ** b elementwise; b may be a number. */
export function pow(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    const exponent = b;
    const y = runKernel1('PowScalar', [a], { exponent });
    if (needsGrad(a)) {
      recordGrad('pow', y, [a], (dy) => {
        const d = runKernel1('PowScalar', [a], { exponent: exponent - 1 });
        const s = runKernel1('ScaleShift', [d], { scale: exponent, shift: 0 });
        d.dispose();
        const g = runKernel1('Mul', [dy, s], {});
        s.dispose();
        return [g];
      });
    }
    return y;
  }
  const y = runKernel1('Pow', [a, b], {});
  if (needsGrad(a, b)) {
    recordGrad('pow', y, [a, b], (dy) => {
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (a.requiresGrad) {
        // b * a^(b-1) = b * y / a, computed directly to stay finite at a = 0 for b >= 1.
        const bm1 = runKernel1('ScaleShift', [b], { scale: 1, shift: -1 });
        const p = runKernel1('Pow', [a, bm1], {});
        const q = runKernel1('Mul', [p, b], {});
        ga = sumToShapeOwned(runKernel1('Mul', [dy, q], {}), a.shape);
        for (const t of [bm1, p, q]) t.dispose();
      }
      if (b.requiresGrad) {
        const l = runKernel1('Log', [a], {});
        const q = runKernel1('Mul', [y, l], {});
        gb = sumToShapeOwned(runKernel1('Mul', [dy, q], {}), b.shape);
        l.dispose();
        q.dispose();
      }
      return [ga, gb];
    });
  }
  return y;
}

/** Elementwise maximum; where a == b the gradient goes to `a`. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  const y = runKernel1('Maximum', [a, b], {});
  if (needsGrad(a, b))
    recordGrad('maximum', y, [a, b], (dy) => splitGrad(dy, a, b, runKernel1('Greater', [b, a], {})));
  return y;
}

/** Elementwise minimum; where a == b the gradient goes to `a`. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  const y = runKernel1('Minimum', [a, b], {});
  if (needsGrad(a, b))
    recordGrad('minimum', y, [a, b], (dy) => splitGrad(dy, a, b, runKernel1('Greater', [a, b], {})));
  return y;
}

/** Routes dy to `b` where maskB is 1 and to `a` elsewhere; consumes maskB. */
function splitGrad(dy: Tensor, a: Tensor, b: Tensor, maskB: Tensor): (Tensor | null)[] {
  const maskA = runKernel1('ScaleShift', [maskB], { scale: -1, shift: 1 });
  const ga = a.requiresGrad ? sumToShapeOwned(runKernel1('Mul', [dy, maskA], {}), a.shape) : null;
  const gb = b.requiresGrad ? sumToShapeOwned(runKernel1('Mul', [dy, maskB], {}), b.shape) : null;
  maskA.dispose();
  maskB.dispose();
  return [ga, gb];
}

/** 1 where a == b else 0 (no gradient). */
export function equal(a: Tensor, b: Tensor): Tensor {
  return runKernel1('Equal', [a, b], {});
}

/** 1 where a > b else 0 (no gradient). */
export function greater(a: Tensor, b: Tensor): Tensor {
  return runKernel1('Greater', [a, b], {});
}

function sumToShapeOwned(g: Tensor, shape: readonly number[]): Tensor {
  const out = sumToShape(g, shape);
  if (out !== g) g.dispose();
  return out;
}
