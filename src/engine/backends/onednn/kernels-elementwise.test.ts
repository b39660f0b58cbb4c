import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KernelAttrMap, KernelName } from '../../kernel-names.js';
import { Rng } from '../../random.js';
import { compareKernel, randomValues, skipReason, tryNative } from './kernel-test-support.js';

// Tolerance: element-wise results differ from the reference by a few float32 ulps (oneDNN's
// vectorised exp/erf/tanh approximations are accurate to ~1e-6 relative); sums and matmuls add
// terms in another order (≤ 1e3 terms here). 1e-4 of the largest magnitude covers both and still
// catches any wrong element.
const TOLERANCE = 1e-4;

const native = tryNative();
const skip = skipReason(native);
const n = typeof native === 'string' ? null : native;

type Input = { values: Float32Array; shape: number[]; blocked?: boolean };

function check<K extends KernelName>(name: K, inputs: Input[], attrs: KernelAttrMap[K]): void {
  const r = compareKernel(n!, name, inputs, attrs);
  assert.ok(r.relativeError < TOLERANCE, `${name}: relative error ${r.relativeError}`);
}

const positive = (v: Float32Array) => v.map((x) => Math.abs(x) + 0.1);

describe('oneDNN element-wise kernels match the reference', { skip }, () => {
  const rng = new Rng(400);
  const shapes = [
    [2, 16, 5, 7],
    [3, 5, 4],
    [1, 24, 3, 4, 5],
  ];
  for (const shape of shapes) {
    for (const blocked of [false, true]) {
      test(`unary ops and their gradients on [${shape}] ${blocked ? 'blocked' : 'plain'}`, () => {
        const x = { values: randomValues(rng, shape, 2), shape, blocked };
        const dy = { values: randomValues(rng, shape), shape, blocked: !blocked };
        for (const name of ['Relu', 'Gelu', 'Sigmoid', 'Tanh', 'Exp', 'Abs', 'Neg'] as const)
          check(name, [x], {});
        const p = { ...x, values: positive(x.values) };
        for (const name of ['Log', 'Sqrt'] as const) check(name, [p], {});
        check('LeakyRelu', [x], { alpha: 0.01 });
        check('ScaleShift', [x], { scale: -0.5, shift: 2 });
        check('Clamp', [x], { min: -0.5, max: 1 });
        check('PowScalar', [p], { exponent: -0.5 });
        check('ReluGrad', [dy, x], {});
        check('LeakyReluGrad', [dy, x], { alpha: 0.2 });
        check('GeluGrad', [dy, x], {});
      });
    }
  }
});

describe('oneDNN binary kernels broadcast like the reference', { skip }, () => {
  const rng = new Rng(500);
  const pairs: [number[], number[], boolean][] = [
    [[2, 16, 5, 5], [2, 16, 5, 5], true],
    [[2, 16, 5, 5], [1, 16, 1, 1], true],
    [[1, 16, 1, 1], [2, 16, 5, 5], false],
    [[3, 1], [1, 4], false],
    [[], [2, 3], false],
    [[4], [2, 3, 4], false],
    [[1, 4], [3, 4], false],
  ];
  for (const [a, b, blocked] of pairs) {
    test(`[${a}] with [${b}]`, () => {
      const x = { values: randomValues(rng, a), shape: a, blocked };
      const y = { values: positive(randomValues(rng, b)), shape: b };
      for (const name of ['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Minimum'] as const) check(name, [x, y], {});
    });
  }
  test('BroadcastTo', () => {
    check('BroadcastTo', [{ values: randomValues(rng, [1, 3, 1]), shape: [1, 3, 1] }], { shape: [2, 3, 4] });
    check('BroadcastTo', [{ values: randomValues(rng, [3]), shape: [3] }], { shape: [2, 3] });
  });
});

describe('oneDNN reductions, softmax and matmul match the reference', { skip }, () => {
  const rng = new Rng(600);
  test('Sum over axes, with and without kept dims, plain and blocked', () => {
    const shape = [2, 16, 5, 6];
    for (const blocked of [false, true]) {
      const x = { values: randomValues(rng, shape), shape, blocked };
      check('Sum', [x], { axes: [0, 2, 3], keepDims: true });
      check('Sum', [x], { axes: [1], keepDims: false });
      check('Sum', [x], { axes: [0, 1, 2, 3], keepDims: false });
    }
  });
  test('layouts whose channels are padded to the block (14 and 8 channels in 16-blocks)', () => {
    const shape = [2, 14, 5, 6];
    const x = { values: randomValues(rng, shape), shape, blocked: true };
    check('Sum', [x], { axes: [0, 2, 3], keepDims: true });
    check('Sum', [x], { axes: [0, 1, 2, 3], keepDims: false });
    check('Exp', [x], {});
    check('ReluGrad', [{ values: randomValues(rng, shape), shape }, x], {});
    const part = [1, 8, 4, 3, 5];
    const a = { values: randomValues(rng, part), shape: part, blocked: true };
    const b = { values: randomValues(rng, part), shape: part, blocked: true };
    check('Concat', [a, b], { axis: 1 });
  });
  test('Sum of tensors large enough to split over threads and spatial chunks', () => {
    // 2 x 14 x 70 x 70: 4900 positions per channel block (two 4096-position chunks), 137 200
    // values (over the one-thread threshold); sums straight from the blocked and plain layouts.
    const shape = [2, 14, 70, 70];
    for (const blocked of [false, true]) {
      const x = { values: randomValues(rng, shape), shape, blocked };
      check('Sum', [x], { axes: [0, 1, 2, 3], keepDims: false });
      check('Sum', [x], { axes: [0, 2, 3], keepDims: false });
    }
  });
  test('Softmax and LogSoftmax along channels and along the last axis', () => {
    const shape = [2, 14, 5, 6];
    for (const blocked of [false, true]) {
      const x = { values: randomValues(rng, shape, 3), shape, blocked };
      check('Softmax', [x], { axis: 1 });
      check('LogSoftmax', [x], { axis: 1 });
      check('Softmax', [x], { axis: 3 });
      check('LogSoftmax', [x], { axis: 3 });
      // The gradient kernels are linear in dy for any y; y here need not be a softmax output.
      const dy = { values: randomValues(rng, shape), shape };
      const y = { values: randomValues(rng, shape, 0.5), shape, blocked };
      for (const axis of [1, 3]) {
        check('SoftmaxGrad', [dy, y], { axis });
        check('LogSoftmaxGrad', [dy, y], { axis });
      }
    }
  });
  test('MatMul: plain, transposed, batched with broadcasting', () => {
    const m = (shape: number[]) => ({ values: randomValues(rng, shape), shape });
    check('MatMul', [m([3, 4]), m([4, 5])], { transposeA: false, transposeB: false });
    check('MatMul', [m([4, 3]), m([4, 5])], { transposeA: true, transposeB: false });
    check('MatMul', [m([3, 4]), m([5, 4])], { transposeA: false, transposeB: true });
    check('MatMul', [m([2, 1, 3, 7]), m([1, 5, 7, 6])], { transposeA: false, transposeB: false });
    check('MatMul', [m([2, 3, 7]), m([7, 6])], { transposeA: false, transposeB: false });
    check('MatMul', [m([2, 7, 3]), m([2, 6, 7])], { transposeA: true, transposeB: true });
  });
});

describe('oneDNN shape kernels and AdamW match the reference', { skip }, () => {
  const rng = new Rng(700);
  test('Max over the spatial axes of blocked (padded) and plain activations', () => {
    const a = { values: randomValues(rng, [2, 13, 5, 6]), shape: [2, 13, 5, 6], blocked: true };
    const b = { values: randomValues(rng, [3, 4, 7]), shape: [3, 4, 7] };
    const c = { values: randomValues(rng, [1, 16, 3, 4, 5]), shape: [1, 16, 3, 4, 5], blocked: true };
    check('Max', [a], { axes: [2, 3], keepDims: false });
    check('Max', [a], { axes: [2, 3], keepDims: true });
    check('Max', [b], { axes: [2], keepDims: false });
    check('Max', [c], { axes: [2, 3, 4], keepDims: false });
    check('Max', [a], { axes: [1], keepDims: false });
  });
  test('Concat of blocked and plain parts, then Slice back (on and off block edges)', () => {
    const a = { values: randomValues(rng, [2, 16, 5, 6]), shape: [2, 16, 5, 6], blocked: true };
    const b = { values: randomValues(rng, [2, 16, 5, 6]), shape: [2, 16, 5, 6], blocked: true };
    const c = { values: randomValues(rng, [2, 3, 5, 6]), shape: [2, 3, 5, 6] };
    check('Concat', [a, b], { axis: 1 });
    check('Concat', [a, c, b], { axis: 1 });
    check('Concat', [a, b], { axis: 2 });
    const x = { values: randomValues(rng, [2, 32, 5, 6]), shape: [2, 32, 5, 6], blocked: true };
    check('Slice', [x], { begin: [0, 16, 0, 0], size: [2, 16, 5, 6] });
    check('Slice', [x], { begin: [0, 8, 0, 0], size: [2, 8, 5, 6] });
    check('Slice', [x], { begin: [1, 3, 1, 2], size: [1, 20, 3, 4] });
  });
  test('Reshape of plain and blocked tensors', () => {
    check('Reshape', [{ values: randomValues(rng, [2, 16, 3, 4]), shape: [2, 16, 3, 4], blocked: true }], {
      shape: [2, 16, 12],
    });
    check('Reshape', [{ values: randomValues(rng, [6]), shape: [6] }], { shape: [2, 3] });
  });
  test('AdamW step', () => {
    const shape = [33, 7];
    const param = { values: randomValues(rng, shape), shape };
    const grad = { values: randomValues(rng, shape), shape };
    const m = { values: randomValues(rng, shape, 0.1), shape };
    const v = { values: positive(randomValues(rng, shape, 0.1)), shape };
    check('AdamW', [param, grad, m, v], {
      lr: 1e-2,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.01,
      step: 3,
    });
  });
});
