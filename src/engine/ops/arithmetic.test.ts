import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import type { Tensor } from '../tensor.js';
import { assertClose, gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { add, div, maximum, minimum, mul, pow, sub } from './arithmetic.js';
import { broadcastShapes } from './broadcast.js';

useTestBackend();

// Gradient checks: central differences in float32 with eps 1e-2 agree to ~1e-3; we allow 1e-2.
const TOL = 1e-2;

function naiveBroadcast(
  a: Float32Array,
  as: number[],
  b: Float32Array,
  bs: number[],
  f: (x: number, y: number) => number,
): { shape: number[]; values: number[] } {
  const shape = broadcastShapes(as, bs);
  const size = shape.reduce((p, d) => p * d, 1);
  const values: number[] = [];
  const index = (s: number[], idx: number[]): number => {
    let o = 0;
    const lead = idx.length - s.length;
    for (let i = 0; i < s.length; i++) o = o * s[i]! + (s[i] === 1 ? 0 : idx[i + lead]!);
    return o;
  };
  for (let flat = 0; flat < size; flat++) {
    const idx: number[] = [];
    let r = flat;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx.unshift(r % shape[i]!);
      r = Math.floor(r / shape[i]!);
    }
    values.push(f(a[index(as, idx)]!, b[index(bs, idx)]!));
  }
  return { shape, values };
}

const shapePairs: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3, 4], [4]],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [
    [1, 3, 1, 5],
    [2, 3, 4, 1],
  ],
  [[5], []],
];

test('binary ops broadcast like NumPy', () => {
  for (const [as, bs] of shapePairs) {
    const av = randomValues(
      as.reduce((p, d) => p * d, 1),
      1,
    );
    const bv = randomValues(
      bs.reduce((p, d) => p * d, 1),
      2,
    );
    const cases: [(a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
      [add, (x, y) => x + y],
      [sub, (x, y) => x - y],
      [mul, (x, y) => x * y],
      [div, (x, y) => x / y],
      [maximum, Math.max],
      [minimum, Math.min],
    ];
    for (const [op, f] of cases) {
      const got = op(tensor(av, as), tensor(bv, bs));
      const want = naiveBroadcast(av, as, bv, bs, f);
      assert.deepEqual(got.shape, want.shape);
      // float32 results against float64 arithmetic: relative 1e-6.
      assertClose(got.data(), want.values, { abs: 0, rel: 1e-6 }, `[${as}] [${bs}]`);
    }
  }
});

test('scalar operands', () => {
  const x = tensor([1, 2, 3], [3]);
  assert.deepEqual([...add(x, 1).data()], [2, 3, 4]);
  assert.deepEqual([...sub(x, 1).data()], [0, 1, 2]);
  assert.deepEqual([...mul(x, 2).data()], [2, 4, 6]);
  assert.deepEqual([...div(x, 2).data()], [0.5, 1, 1.5]);
  assert.deepEqual([...pow(x, 2).data()], [1, 4, 9]);
});

test('binary op gradients with broadcasting match finite differences', () => {
  for (const [as, bs] of shapePairs) {
    const a = {
      shape: as,
      values: randomValues(
        as.reduce((p, d) => p * d, 1),
        3,
      ),
    };
    const b = {
      shape: bs,
      values: randomValues(
        bs.reduce((p, d) => p * d, 1),
        4,
      ),
    };
    // Keep divisors and pow bases away from zero, where finite differences are meaningless.
    const positive = { shape: bs, values: b.values.map((v) => 1 + Math.abs(v)) };
    const base = { shape: as, values: a.values.map((v) => 0.5 + Math.abs(v)) };
    // For max/min: a on half-integers, b on integers, so no pair is within eps of a tie.
    const halves = { shape: as, values: a.values.map((v) => Math.round(2 * v) + 0.5) };
    const integers = { shape: bs, values: b.values.map((v) => Math.round(2 * v)) };
    for (const [name, f, inputs] of [
      ['add', add, [a, b]],
      ['sub', sub, [a, b]],
      ['mul', mul, [a, b]],
      ['div', div, [a, positive]],
      ['pow', pow, [base, { shape: bs, values: b.values.map((v) => v * 0.5) }]],
      ['maximum', maximum, [halves, integers]],
      ['minimum', minimum, [halves, integers]],
    ] as const) {
      const r = gradientCheck((x, y) => f(x!, y!), inputs);
      assert.ok(r.maxError < TOL, `${name} [${as}] [${bs}]: ${r.where}`);
    }
  }
});

test('scalar-operand gradients', () => {
  const x = { shape: [2, 3], values: randomValues(6, 5).map((v) => 0.5 + Math.abs(v)) };
  for (const f of [
    (t: never) => add(t, 3),
    (t: never) => mul(t, -2),
    (t: never) => div(t, 4),
    (t: never) => pow(t, 3),
  ]) {
    const r = gradientCheck((t) => f(t as never), [x]);
    assert.ok(r.maxError < TOL, r.where);
  }
});
