import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import { runKernel1 } from '../dispatch.js';
import { assertClose, gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { conv2d, conv3d } from './conv.js';
import { convTranspose2d, convTranspose3d } from './conv-transpose.js';

useTestBackend();

interface Case {
  x: number[];
  w: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

/** Direct-loop convolution in float64, 3D form (2D cases have a leading depth of 1). */
function naiveConv(x: Float32Array, w: Float32Array, c: Case): { shape: number[]; values: Float64Array } {
  const to3 = (l: number[], f: number): number[] => (l.length === 2 ? [f, ...l] : l);
  const [N, Ci] = c.x as [number, number];
  const Co = c.w[0]!;
  const I = to3(c.x.slice(2), 1);
  const K = to3(c.w.slice(2), 1);
  const S = to3(c.stride, 1);
  const P = to3(c.padding, 0);
  const D = to3(c.dilation, 1);
  const O = I.map((n, i) => Math.floor((n + 2 * P[i]! - D[i]! * (K[i]! - 1) - 1) / S[i]!) + 1);
  const out = new Float64Array(N * Co * O[0]! * O[1]! * O[2]!);
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let co = 0; co < Co; co++)
      for (let oz = 0; oz < O[0]!; oz++)
        for (let oy = 0; oy < O[1]!; oy++)
          for (let ox = 0; ox < O[2]!; ox++, o++) {
            let s = 0;
            for (let ci = 0; ci < Ci; ci++)
              for (let kz = 0; kz < K[0]!; kz++)
                for (let ky = 0; ky < K[1]!; ky++)
                  for (let kx = 0; kx < K[2]!; kx++) {
                    const iz = oz * S[0]! - P[0]! + kz * D[0]!;
                    const iy = oy * S[1]! - P[1]! + ky * D[1]!;
                    const ix = ox * S[2]! - P[2]! + kx * D[2]!;
                    if (iz < 0 || iy < 0 || ix < 0 || iz >= I[0]! || iy >= I[1]! || ix >= I[2]!) continue;
                    const xv = x[(((n * Ci + ci) * I[0]! + iz) * I[1]! + iy) * I[2]! + ix]!;
                    const wv = w[(((co * Ci + ci) * K[0]! + kz) * K[1]! + ky) * K[2]! + kx]!;
                    s += xv * wv;
                  }
            out[o] = s;
          }
  const spatial = c.x.length === 4 ? O.slice(1) : O;
  return { shape: [N, Co, ...spatial], values: out };
}

/** Direct-loop transposed convolution: every input value scatters its kernel into the output. */
function naiveConvTranspose(x: Float32Array, w: Float32Array, c: Case, outSpatial: number[]): Float64Array {
  const to3 = (l: number[], f: number): number[] => (l.length === 2 ? [f, ...l] : l);
  const [N, Ci] = c.x as [number, number];
  const Co = c.w[1]!;
  const I = to3(c.x.slice(2), 1);
  const K = to3(c.w.slice(2), 1);
  const S = to3(c.stride, 1);
  const P = to3(c.padding, 0);
  const D = to3(c.dilation, 1);
  const O = to3(outSpatial, 1);
  const out = new Float64Array(N * Co * O[0]! * O[1]! * O[2]!);
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < Ci; ci++)
      for (let iz = 0; iz < I[0]!; iz++)
        for (let iy = 0; iy < I[1]!; iy++)
          for (let ix = 0; ix < I[2]!; ix++) {
            const xv = x[(((n * Ci + ci) * I[0]! + iz) * I[1]! + iy) * I[2]! + ix]!;
            for (let co = 0; co < Co; co++)
              for (let kz = 0; kz < K[0]!; kz++)
                for (let ky = 0; ky < K[1]!; ky++)
                  for (let kx = 0; kx < K[2]!; kx++) {
                    const oz = iz * S[0]! - P[0]! + kz * D[0]!;
                    const oy = iy * S[1]! - P[1]! + ky * D[1]!;
                    const ox = ix * S[2]! - P[2]! + kx * D[2]!;
                    if (oz < 0 || oy < 0 || ox < 0 || oz >= O[0]! || oy >= O[1]! || ox >= O[2]!) continue;
                    const wv = w[(((ci * Co + co) * K[0]! + kz) * K[1]! + ky) * K[2]! + kx]!;
                    out[(((n * Co + co) * O[0]! + oz) * O[1]! + oy) * O[2]! + ox]! += xv * wv;
                  }
          }
  return out;
}

const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);

const cases2d: Case[] = [
  { x: [1, 1, 5, 5], w: [1, 1, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  { x: [2, 3, 7, 6], w: [4, 3, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
  { x: [3, 2, 9, 8], w: [5, 2, 3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 1] },
  { x: [2, 3, 11, 10], w: [2, 3, 3, 3], stride: [2, 2], padding: [2, 1], dilation: [2, 2] },
  { x: [2, 4, 6, 5], w: [3, 4, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  { x: [1, 2, 8, 8], w: [3, 2, 2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] },
];
const cases3d: Case[] = [
  { x: [1, 2, 5, 4, 6], w: [3, 2, 3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1] },
  { x: [2, 2, 7, 6, 5], w: [2, 2, 3, 2, 3], stride: [2, 1, 2], padding: [1, 0, 1], dilation: [1, 2, 1] },
  { x: [2, 3, 4, 4, 4], w: [2, 3, 1, 1, 1], stride: [1, 1, 1], padding: [0, 0, 0], dilation: [1, 1, 1] },
];

test('conv2d and conv3d forward match direct loops on odd shapes, strides, padding, dilation', () => {
  for (const c of [...cases2d, ...cases3d]) {
    const xv = randomValues(size(c.x), 1);
    const wv = randomValues(size(c.w), 2);
    const op = c.x.length === 4 ? conv2d : conv3d;
    const y = op(tensor(xv, c.x), tensor(wv, c.w), null, c);
    const want = naiveConv(xv, wv, c);
    assert.deepEqual(y.shape, want.shape);
    // float32 GEMM vs float64 loops over at most 54 products of N(0,1) values: 1e-4 absolute.
    assertClose(y.data(), want.values, { abs: 1e-4 }, JSON.stringify(c));
  }
});

test('conv bias is added per output channel', () => {
  const y = conv2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1, -1], [2, 1, 1, 1]), tensor([10, 20], [2]));
  assert.deepEqual([...y.data()], [11, 12, 13, 14, 19, 18, 17, 16]);
});

test('conv gradients (input, weight, bias) match finite differences', () => {
  for (const c of [cases2d[1]!, cases2d[2]!, cases2d[3]!, cases2d[4]!, cases3d[1]!]) {
    const op = c.x.length === 4 ? conv2d : conv3d;
    const r = gradientCheck(
      (x, w, b) => op(x!, w!, b!, c),
      [
        { shape: c.x, values: randomValues(size(c.x), 3) },
        { shape: c.w, values: randomValues(size(c.w), 4) },
        { shape: [c.w[0]!], values: randomValues(c.w[0]!, 5) },
      ],
    );
    // Sums of up to ~50 float32 products: central differences agree to ~1e-3; tolerance 1e-2.
    assert.ok(r.maxError < 1e-2, `${JSON.stringify(c)}: ${r.where}`);
  }
});

const transposeCases: (Case & { outputPadding: number[] })[] = [
  {
    x: [1, 2, 4, 4],
    w: [2, 3, 2, 2],
    stride: [2, 2],
    padding: [0, 0],
    dilation: [1, 1],
    outputPadding: [0, 0],
  },
  {
    x: [2, 3, 3, 5],
    w: [3, 2, 3, 3],
    stride: [2, 1],
    padding: [1, 1],
    dilation: [1, 1],
    outputPadding: [1, 0],
  },
  {
    x: [2, 2, 4, 3],
    w: [2, 2, 3, 2],
    stride: [1, 2],
    padding: [0, 1],
    dilation: [2, 1],
    outputPadding: [0, 1],
  },
  {
    x: [1, 2, 3, 2, 3],
    w: [2, 2, 2, 2, 2],
    stride: [2, 2, 2],
    padding: [0, 0, 0],
    dilation: [1, 1, 1],
    outputPadding: [0, 0, 0],
  },
  {
    x: [2, 1, 2, 3, 2],
    w: [1, 2, 3, 3, 3],
    stride: [2, 1, 2],
    padding: [1, 1, 1],
    dilation: [1, 1, 1],
    outputPadding: [1, 0, 0],
  },
];

test('transposed convolution matches direct scatter loops and PyTorch output sizes', () => {
  for (const c of transposeCases) {
    const xv = randomValues(size(c.x), 6);
    const wv = randomValues(size(c.w), 7);
    const op = c.x.length === 4 ? convTranspose2d : convTranspose3d;
    const y = op(tensor(xv, c.x), tensor(wv, c.w), null, c);
    const spatial = c.x
      .slice(2)
      .map(
        (d, i) =>
          (d - 1) * c.stride[i]! -
          2 * c.padding[i]! +
          c.dilation[i]! * (c.w[i + 2]! - 1) +
          c.outputPadding[i]! +
          1,
      );
    assert.deepEqual(y.shape, [c.x[0], c.w[1], ...spatial]);
    const want = naiveConvTranspose(xv, wv, c, spatial);
    assertClose(y.data(), want, { abs: 1e-4 }, JSON.stringify(c));
  }
});

test('transposed convolution gradients match finite differences', () => {
  for (const c of [transposeCases[1]!, transposeCases[2]!, transposeCases[4]!]) {
    const op = c.x.length === 4 ? convTranspose2d : convTranspose3d;
    const r = gradientCheck(
      (x, w, b) => op(x!, w!, b!, c),
      [
        { shape: c.x, values: randomValues(size(c.x), 8) },
        { shape: c.w, values: randomValues(size(c.w), 9) },
        { shape: [c.w[1]!], values: randomValues(c.w[1]!, 10) },
      ],
    );
    assert.ok(r.maxError < 1e-2, `${JSON.stringify(c)}: ${r.where}`);
  }
});

test('large inputs (several column-matrix chunks) match direct loops; backward kernels are exact adjoints', () => {
  // kdim·OW·rows = 108·32·1024 > 2^21 floats, so im2col runs in two chunks.
  const c: Case = {
    x: [1, 4, 32, 32, 32],
    w: [2, 4, 3, 3, 3],
    stride: [1, 1, 1],
    padding: [1, 1, 1],
    dilation: [1, 1, 1],
  };
  const xv = randomValues(size(c.x), 11);
  const wv = randomValues(size(c.w), 12);
  const y = conv3d(tensor(xv, c.x), tensor(wv, c.w), null, c);
  assertClose(y.data(), naiveConv(xv, wv, c).values, { abs: 1e-4 }, 'chunked conv3d');
  // <dy, conv(x, w)> = <backpropInput(dy, w), x> = <backpropFilter(x, dy), w>, in float64.
  const dy = randomValues(y.size, 13);
  const attrs = { stride: c.stride, padding: c.padding, dilation: c.dilation };
  const dx = runKernel1('Conv3DBackpropInput', [tensor(dy, y.shape), tensor(wv, c.w)], {
    ...attrs,
    inputShape: c.x,
  }).data();
  const dw = runKernel1('Conv3DBackpropFilter', [tensor(xv, c.x), tensor(dy, y.shape)], {
    ...attrs,
    filterShape: c.w,
  }).data();
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return s;
  };
  const reference = dot(dy, y.data());
  // Sums of 65536 products of N(0,1)-scale terms in float32 kernels: agreement to 1e-4 relative.
  assert.ok(
    Math.abs(dot(dx, xv) - reference) < 1e-4 * Math.abs(reference) + 1e-2,
    `${dot(dx, xv)} vs ${reference}`,
  );
  assert.ok(
    Math.abs(dot(dw, wv) - reference) < 1e-4 * Math.abs(reference) + 1e-2,
    `${dot(dw, wv)} vs ${reference}`,
  );
});

test('bad shapes are refused with the op name', () => {
  assert.throws(
    () => conv2d(tensor(new Float32Array(16), [1, 1, 4, 4]), tensor(new Float32Array(18), [1, 2, 3, 3])),
    /conv2d/,
  );
  assert.throws(
    () => conv2d(tensor(new Float32Array(4), [1, 1, 2, 2]), tensor(new Float32Array(9), [1, 1, 3, 3])),
    /too small/,
  );
});
