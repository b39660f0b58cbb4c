import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import { gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { mul } from './arithmetic.js';
import {
  concat,
  flatten,
  pad,
  permute,
  reshape,
  slice,
  split,
  squeeze,
  transpose,
  unsqueeze,
} from './shape.js';

useTestBackend();

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('reshape, flatten, squeeze, unsqueeze', () => {
  const x = tensor(iota(24), [2, 3, 4]);
  assert.deepEqual(reshape(x, [4, -1]).shape, [4, 6]);
  assert.deepEqual(flatten(x).shape, [2, 12]);
  assert.deepEqual(unsqueeze(x, 1).shape, [2, 1, 3, 4]);
  assert.deepEqual(squeeze(unsqueeze(x, -1), -1).shape, [2, 3, 4]);
  assert.throws(() => reshape(x, [5, -1]), /cannot reshape/);
});

test('permute and transpose move values like NumPy', () => {
  const x = tensor(iota(24), [2, 3, 4]);
  const y = permute(x, [2, 0, 1]);
  assert.deepEqual(y.shape, [4, 2, 3]);
  const d = y.data();
  for (let a = 0; a < 4; a++)
    for (let b = 0; b < 2; b++)
      for (let c = 0; c < 3; c++) assert.equal(d[(a * 2 + b) * 3 + c], b * 12 + c * 4 + a);
  assert.deepEqual([...transpose(tensor(iota(6), [2, 3])).data()], [0, 3, 1, 4, 2, 5]);
});

test('concat, slice, split and pad', () => {
  const a = tensor(iota(6), [2, 3]);
  const b = tensor([10, 11, 12, 13], [2, 2]);
  const c = concat([a, b], 1);
  assert.deepEqual([...c.data()], [0, 1, 2, 10, 11, 3, 4, 5, 12, 13]);
  assert.deepEqual([...slice(c, [0, 2], [-1, 2]).data()], [2, 10, 5, 12]);
  const [p, q] = split(c, [1, 4], 1);
  assert.deepEqual([...p!.data()], [0, 3]);
  assert.deepEqual(q!.shape, [2, 4]);
  const padded = pad(tensor([1, 2, 3, 4], [2, 2]), [
    [1, 0],
    [0, 2],
  ]);
  assert.deepEqual([...padded.data()], [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
  assert.deepEqual([...pad(tensor([1], [1, 1]), [[1, 1]], -1).data()], [-1, 1, -1]);
});

test('shape op gradients match finite differences', () => {
  const x = { shape: [2, 3, 4], values: randomValues(24, 1) };
  const y = { shape: [2, 2, 4], values: randomValues(16, 2) };
  const cases: [string, (a: never, b: never) => ReturnType<typeof mul>][] = [
    ['reshape', (a) => mul(reshape(a, [4, 6]), 2)],
    ['permute', (a) => permute(a, [1, 2, 0])],
    ['concat', (a, b) => concat([a, b, a], 1)],
    ['slice', (a) => slice(a, [1, 1, 0], [1, 2, 3])],
    [
      'pad',
      (a) =>
        pad(a, [
          [1, 2],
          [0, 1],
        ]),
    ],
  ];
  for (const [name, f] of cases) {
    const r = gradientCheck((a, b) => f(a as never, b as never), [x, y]);
    assert.ok(r.maxError < 1e-2, `${name}: ${r.where}`);
  }
});
