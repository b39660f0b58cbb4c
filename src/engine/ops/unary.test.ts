import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import { assertClose, gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { gelu, leakyRelu, relu, sigmoid, tanh } from './activation.js';
import { abs, clamp, exp, log, neg, sqrt } from './unary.js';

useTestBackend();

// Inputs kept at least 0.05 away from kinks (0 for relu/abs, the clamp bounds), where central
// differences with eps 1e-2 are exact up to float32 rounding; tolerance 1e-2.
function awayFromKinks(n: number, seed: number, kinks: number[]): Float32Array {
  return randomValues(n, seed).map((v) => {
    for (const k of kinks) if (Math.abs(v - k) < 0.05) return k + 0.1;
    return v;
  });
}

test('unary values match Math (GELU: exact erf form, PyTorch default)', () => {
  const x = tensor([-2, -0.5, 0, 0.5, 2], [5]);
  const close = (a: Float32Array, b: number[]): void => assertClose(a, b, { abs: 1e-6 }, 'unary');
  close(relu(x).data(), [0, 0, 0, 0.5, 2]);
  close(leakyRelu(x, 0.1).data(), [-0.2, -0.05, 0, 0.5, 2]);
  // torch.nn.functional.gelu(torch.tensor([-2, -.5, 0, .5, 2.])) printed to 7 digits.
  close(gelu(x).data(), [-0.0455003, -0.1542687, 0, 0.3457312, 1.9544997]);
  close(
    sigmoid(x).data(),
    [-2, -0.5, 0, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))),
  );
  close(tanh(x).data(), [-2, -0.5, 0, 0.5, 2].map(Math.tanh));
  close(abs(x).data(), [2, 0.5, 0, 0.5, 2]);
  close(clamp(x, -1, 1).data(), [-1, -0.5, 0, 0.5, 1]);
  close(neg(x).data(), [2, 0.5, -0, -0.5, -2]);
});

test('unary gradients match finite differences', () => {
  const shape = [3, 7];
  const general = { shape, values: awayFromKinks(21, 1, [0]) };
  const positive = { shape, values: randomValues(21, 2).map((v) => 0.3 + Math.abs(v)) };
  const cases: [string, (t: never) => ReturnType<typeof exp>, typeof general][] = [
    ['neg', neg, general],
    ['exp', exp, general],
    ['log', log, positive],
    ['sqrt', sqrt, positive],
    ['abs', abs, general],
    ['clamp', (t) => clamp(t, -0.5, 0.7), { shape, values: awayFromKinks(21, 3, [-0.5, 0.7]) }],
    ['relu', relu, general],
    ['leakyRelu', (t) => leakyRelu(t, 0.2), general],
    ['gelu', gelu, general],
    ['sigmoid', sigmoid, general],
    ['tanh', tanh, general],
  ];
  for (const [name, f, input] of cases) {
    const r = gradientCheck((t) => f(t as never), [input]);
    assert.ok(r.maxError < 1e-2, `${name}: ${r.where}`);
  }
});
