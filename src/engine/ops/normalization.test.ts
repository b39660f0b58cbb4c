import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, noGrad } from '../autograd.js';
import { ones, parameter, tensor, zeros } from '../creation.js';
import { assertClose, gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { leakyRelu } from './activation.js';
import { mul } from './arithmetic.js';
import { batchNorm, groupNorm, instanceNorm, layerNorm } from './normalization.js';
import { sum } from './reduction.js';

useTestBackend();

function stats(values: Float32Array, indices: number[]): { mean: number; variance: number } {
  const mean = indices.reduce((s, i) => s + values[i]!, 0) / indices.length;
  const variance = indices.reduce((s, i) => s + (values[i]! - mean) ** 2, 0) / indices.length;
  return { mean, variance };
}

test('batch norm training normalises per channel and updates running stats like PyTorch', () => {
  const shape = [3, 2, 4, 5];
  const xv = randomValues(120, 1, 3);
  const runningMean = zeros([2]);
  const runningVar = ones([2]);
  const y = batchNorm(tensor(xv, shape), { runningMean, runningVar, momentum: 0.1 }).data();
  for (let c = 0; c < 2; c++) {
    const idx: number[] = [];
    for (let n = 0; n < 3; n++) for (let i = 0; i < 20; i++) idx.push((n * 2 + c) * 20 + i);
    const { mean, variance } = stats(xv, idx);
    const out = stats(y, idx);
    // Normalised output: mean 0 and variance v/(v+eps) to float32 precision.
    assert.ok(Math.abs(out.mean) < 1e-5 && Math.abs(out.variance - variance / (variance + 1e-5)) < 1e-4);
    // running = 0.9 running + 0.1 batch statistic, with the unbiased variance (n = 60).
    assert.ok(Math.abs(runningMean.data()[c]! - 0.1 * mean) < 1e-5);
    assert.ok(Math.abs(runningVar.data()[c]! - (0.9 + 0.1 * variance * (60 / 59))) < 1e-4);
  }
  const evalOut = batchNorm(tensor(xv, shape), { runningMean, runningVar, training: false }).data();
  const m = runningMean.data()[0]!;
  const v = runningVar.data()[0]!;
  assert.ok(Math.abs(evalOut[0]! - (xv[0]! - m) / Math.sqrt(v + 1e-5)) < 1e-5);
});

test('normalisation gradients (with affine) match finite differences', () => {
  const x = { shape: [2, 4, 3, 3], values: randomValues(72, 2) };
  const w = { shape: [4], values: randomValues(4, 3) };
  const b = { shape: [4], values: randomValues(4, 4) };
  const cases: [string, (x: never, w: never, b: never) => ReturnType<typeof batchNorm>][] = [
    ['batchNorm', (x, w, b) => batchNorm(x, { weight: w, bias: b })],
    [
      'batchNorm eval',
      (x, w, b) =>
        batchNorm(x, {
          weight: w,
          bias: b,
          training: false,
          runningMean: tensor([0.1, 0, -0.2, 0.3], [4]),
          runningVar: tensor([1, 2, 0.5, 1.5], [4]),
        }),
    ],
    ['instanceNorm', (x, w, b) => instanceNorm(x, w, b)],
    ['groupNorm', (x, w, b) => groupNorm(x, 2, w, b)],
  ];
  for (const [name, f] of cases) {
    const r = gradientCheck((x, w, b) => f(x as never, w as never, b as never), [x, w, b]);
    // Normalisation divides by a std of ~1 over 9-36 values; float32 FD with eps 1e-2: tolerance 1e-2.
    assert.ok(r.maxError < 1e-2, `${name}: ${r.where}`);
  }
  const r = gradientCheck(
    (x, w, b) => layerNorm(x!, w!, b!),
    [
      { shape: [2, 3, 6], values: randomValues(36, 5) },
      { shape: [6], values: randomValues(6, 6) },
      { shape: [6], values: randomValues(6, 7) },
    ],
  );
  assert.ok(r.maxError < 1e-2, `layerNorm: ${r.where}`);
});

test('layer norm normalises the last axes', () => {
  const y = layerNorm(tensor([1, 2, 3, 4, 10, 20, 30, 40], [2, 4])).data();
  const expected = [-1.3416, -0.4472, 0.4472, 1.3416];
  assertClose(y, [...expected, ...expected], { abs: 1e-3 }, 'layer norm rows');
  assert.equal(instanceNorm(tensor(randomValues(24, 1), [2, 3, 4])).shape.length, 3);
});

test('instance norm with a fused leaky ReLU equals the two ops in sequence, values and gradients (tolerance 1e-5)', () => {
  const x = parameter(randomValues(2 * 5 * 7 * 3, 11), [2, 5, 7, 3]);
  const w = parameter(randomValues(5, 12), [5]);
  const b = parameter(randomValues(5, 13), [5]);
  const r = tensor(randomValues(2 * 5 * 7 * 3, 14), [2, 5, 7, 3]);
  // Finite differences straddle the activation's kink; compare with the composition's gradients.
  const run = (fused: boolean) => {
    for (const p of [x, w, b]) p.grad = null;
    const y = fused ? instanceNorm(x, w, b, { negativeSlope: 0.1 }) : leakyRelu(instanceNorm(x, w, b), 0.1);
    backward(sum(mul(y, r)));
    return [y.toFloat32Array(), ...[x, w, b].map((p) => p.grad!.toFloat32Array())];
  };
  const fused = run(true);
  const separate = run(false);
  for (const [i, what] of ['y', 'dx', 'dweight', 'dbias'].entries())
    assertClose(fused[i]!, separate[i]!, { abs: 1e-5 }, `fused vs separate: ${what}`);
  // Statistics per sample and channel: every (n, c) plane of the unfused output has mean ≈ bias.
  const y = noGrad(() => instanceNorm(x, w, b)).data();
  for (let n = 0; n < 2; n++)
    for (let c = 0; c < 5; c++) {
      let s = 0;
      for (let i = 0; i < 21; i++) s += y[(n * 5 + c) * 21 + i]!;
      assert.ok(Math.abs(s / 21 - b.data()[c]!) < 1e-4, `plane ${n},${c}`);
    }
});
