import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import { assertClose, gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { linear, matmul } from './matmul.js';

useTestBackend();

const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);

/** C = op(A) op(B) for single matrices, float64. */
function naive(
  a: Float32Array,
  [ar, ac]: number[],
  b: Float32Array,
  [br, bc]: number[],
  tA: boolean,
  tB: boolean,
): number[] {
  const m = tA ? ac! : ar!;
  const k = tA ? ar! : ac!;
  const n = tB ? br! : bc!;
  const out: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += (tA ? a[p * ac! + i]! : a[i * ac! + p]!) * (tB ? b[j * bc! + p]! : b[p * bc! + j]!);
      out.push(s);
    }
  return out;
}

test('matmul matches direct loops for every transpose combination and odd sizes', () => {
  for (const [m, k, n] of [
    [1, 1, 1],
    [3, 5, 7],
    [9, 4, 13],
    [17, 33, 6],
  ] as const) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const as = tA ? [k, m] : [m, k];
        const bs = tB ? [n, k] : [k, n];
        const av = randomValues(size(as), m + k);
        const bv = randomValues(size(bs), n + 1);
        const y = matmul(tensor(av, as), tensor(bv, bs), { transposeA: tA, transposeB: tB });
        assert.deepEqual(y.shape, [m, n]);
        const want = naive(av, as, bv, bs, tA, tB);
        // float32 sums of up to 33 products: 1e-4 absolute.
        assertClose(y.data(), want, { abs: 1e-4 }, `${m}x${k}x${n} ${tA} ${tB}`);
      }
    }
  }
});

test('batched matmul broadcasts batch axes', () => {
  const av = randomValues(2 * 3 * 4 * 5, 1);
  const bv = randomValues(3 * 5 * 2, 2);
  const y = matmul(tensor(av, [2, 3, 4, 5]), tensor(bv, [3, 5, 2]));
  assert.deepEqual(y.shape, [2, 3, 4, 2]);
  const data = y.data();
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 3; j++) {
      const want = naive(
        av.subarray((i * 3 + j) * 20, (i * 3 + j + 1) * 20),
        [4, 5],
        bv.subarray(j * 10, (j + 1) * 10),
        [5, 2],
        false,
        false,
      );
      assertClose(
        data.subarray((i * 3 + j) * 8, (i * 3 + j + 1) * 8),
        want,
        { abs: 1e-4 },
        `batch ${i},${j}`,
      );
    }
});

test('matmul gradients match finite differences (transposes, broadcast batch)', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[3, 4], [4, 5], false, false],
    [[4, 3], [4, 5], true, false],
    [[3, 4], [5, 4], false, true],
    [[4, 3], [5, 4], true, true],
    [[2, 3, 4], [4, 2], false, false],
    [[2, 1, 3, 4], [3, 2, 4], false, true],
  ];
  for (const [as, bs, tA, tB] of cases) {
    const r = gradientCheck(
      (a, b) => matmul(a!, b!, { transposeA: tA, transposeB: tB }),
      [
        { shape: as, values: randomValues(size(as), 3) },
        { shape: bs, values: randomValues(size(bs), 4) },
      ],
    );
    // float32 FD, eps 1e-2: ~1e-3 agreement; tolerance 1e-2.
    assert.ok(r.maxError < 1e-2, `[${as}] [${bs}] ${tA} ${tB}: ${r.where}`);
  }
});

test('linear uses PyTorch layout weight [out, in] and supports extra leading axes', () => {
  const x = tensor([1, 2, 3, 4, 5, 6], [1, 2, 3]);
  const w = tensor([1, 0, 0, 0, 1, 1], [2, 3]);
  const y = linear(x, w, tensor([10, 20], [2]));
  assert.deepEqual(y.shape, [1, 2, 2]);
  assert.deepEqual([...y.data()], [11, 25, 14, 31]);
  const r = gradientCheck(
    (a, b, c) => linear(a!, b!, c!),
    [
      { shape: [2, 3, 4], values: randomValues(24, 5) },
      { shape: [5, 4], values: randomValues(20, 6) },
      { shape: [5], values: randomValues(5, 7) },
    ],
  );
  assert.ok(r.maxError < 1e-2, r.where);
});
