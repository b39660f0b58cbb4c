import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TensorInfo } from '../../backend.js';
import type { KernelAttrMap } from '../../kernel-names.js';
import { getKernel } from '../../kernel-registry.js';
import { Rng } from '../../random.js';
import { referenceBackend } from '../reference/storage.js';
import {
  type Comparison,
  compareKernel,
  randomValues,
  skipReason,
  tryNative,
} from './kernel-test-support.js';

// Tolerance: results are float32 sums of at most ~1e4 products, accumulated in a different order
// (and with different blocking) than the reference, so they differ by a few ulps of the running
// sum; 1e-4 of the largest output magnitude is far above that and far below any indexing bug.
const TOLERANCE = 1e-4;

const native = tryNative();
const skip = skipReason(native);
const n = typeof native === 'string' ? null : native;

interface ConvCase {
  x: number[];
  w: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

const convCases: ConvCase[] = [
  { x: [1, 3, 7, 9], w: [5, 3, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
  { x: [2, 16, 11, 10], w: [16, 16, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
  { x: [2, 5, 13, 12], w: [4, 5, 3, 2], stride: [1, 2], padding: [2, 0], dilation: [2, 1] },
  { x: [3, 17, 8, 6], w: [33, 17, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  { x: [1, 2, 6, 7, 5], w: [3, 2, 3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1] },
  { x: [2, 16, 7, 6, 5], w: [8, 16, 3, 3, 3], stride: [2, 2, 1], padding: [1, 0, 1], dilation: [1, 1, 1] },
  { x: [1, 4, 9, 8, 7], w: [6, 4, 3, 2, 3], stride: [1, 1, 2], padding: [2, 1, 0], dilation: [2, 1, 1] },
  // 8 input channels: oneDNN 2.6 computes this filter gradient fast only in channels-last form.
  { x: [1, 8, 10, 9, 8], w: [8, 8, 3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1] },
  // The 3D U-Net's layers (first, inner, down-sampling): on AVX2 their filter gradients take the
  // depth-padded copy (kernels-layers.ts).
  { x: [2, 1, 8, 6, 7], w: [16, 1, 3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1] },
  { x: [2, 16, 6, 10, 9], w: [16, 16, 3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1] },
  { x: [1, 16, 9, 8, 8], w: [32, 16, 3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1], dilation: [1, 1, 1] },
];

const outSize = (c: ConvCase, i: number) =>
  Math.floor((c.x[i + 2]! + 2 * c.padding[i]! - c.dilation[i]! * (c.w[i + 2]! - 1) - 1) / c.stride[i]!) + 1;

describe('oneDNN convolution kernels match the reference', { skip }, () => {
  for (const [index, c] of convCases.entries()) {
    const two = c.x.length === 4;
    const attrs = { stride: c.stride, padding: c.padding, dilation: c.dilation };
    const y = [c.x[0]!, c.w[0]!, ...c.x.slice(2).map((_, i) => outSize(c, i))];
    for (const blocked of [false, true]) {
      test(`case ${index} [${c.x}] * [${c.w}] ${blocked ? 'blocked' : 'plain'} input`, () => {
        const rng = new Rng(100 + index);
        const x = { values: randomValues(rng, c.x), shape: c.x, blocked };
        const w = { values: randomValues(rng, c.w, 0.3), shape: c.w };
        const dy = { values: randomValues(rng, y), shape: y, blocked };
        const fwd = compareKernel(n!, two ? 'Conv2D' : 'Conv3D', [x, w], attrs);
        assert.ok(fwd.relativeError < TOLERANCE, `forward error ${fwd.relativeError}`);
        const data = compareKernel(n!, two ? 'Conv2DBackpropInput' : 'Conv3DBackpropInput', [dy, w], {
          ...attrs,
          inputShape: c.x,
        });
        assert.ok(data.relativeError < TOLERANCE, `backward-data error ${data.relativeError}`);
        const filter = compareKernel(n!, two ? 'Conv2DBackpropFilter' : 'Conv3DBackpropFilter', [x, dy], {
          ...attrs,
          filterShape: c.w,
        });
        assert.ok(filter.relativeError < TOLERANCE, `backward-weights error ${filter.relativeError}`);
        assert.equal(filter.layouts[0], 'plain', 'weight gradients come back plain');
      });
    }
  }

  test('a 2x2 stride-2 transposed convolution (the U-Net up-sampling) via backprop-input', () => {
    const rng = new Rng(7);
    // convTranspose2d: x [2, 32, 5, 6], weight [Cin 32, Cout 16, 2, 2] -> [2, 16, 10, 11] with outputPadding 1 on W.
    const x = { values: randomValues(rng, [2, 32, 5, 6]), shape: [2, 32, 5, 6], blocked: true };
    const w = { values: randomValues(rng, [32, 16, 2, 2]), shape: [32, 16, 2, 2] };
    const attrs = { stride: [2, 2], padding: [0, 0], dilation: [1, 1] };
    const r = compareKernel(n!, 'Conv2DBackpropInput', [x, w], { ...attrs, inputShape: [2, 16, 10, 13] });
    assert.ok(r.relativeError < TOLERANCE, `error ${r.relativeError}`);
  });

  test('convolution of a 16-channel input keeps a blocked layout on its output', () => {
    const rng = new Rng(3);
    const r = compareKernel(
      n!,
      'Conv2D',
      [
        { values: randomValues(rng, [1, 16, 8, 8]), shape: [1, 16, 8, 8] },
        { values: randomValues(rng, [16, 16, 3, 3]), shape: [16, 16, 3, 3] },
      ],
      { stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
    );
    assert.match(r.layouts[0]!, /^blocked/);
  });
});

const poolCases: { x: number[]; attrs: KernelAttrMap['MaxPool'] }[] = [
  { x: [2, 16, 9, 8], attrs: { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] } },
  { x: [1, 3, 7, 7], attrs: { kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] } },
  { x: [2, 5, 6, 7, 5], attrs: { kernelSize: [2, 2, 2], stride: [2, 2, 2], padding: [0, 0, 0] } },
  { x: [1, 16, 5, 6, 7], attrs: { kernelSize: [3, 2, 3], stride: [1, 2, 2], padding: [1, 0, 1] } },
];

describe('oneDNN pooling kernels match the reference', { skip }, () => {
  for (const [index, c] of poolCases.entries()) {
    for (const kind of ['Max', 'Avg'] as const) {
      test(`${kind} pooling [${c.x}] kernel ${c.attrs.kernelSize} stride ${c.attrs.stride} pad ${c.attrs.padding}`, () => {
        const rng = new Rng(200 + index);
        const x = { values: randomValues(rng, c.x), shape: c.x, blocked: index % 2 === 0 };
        const fwd = compareKernel(n!, kind === 'Max' ? 'MaxPool' : 'AvgPool', [x], c.attrs);
        assert.ok(fwd.relativeError < TOLERANCE, `forward error ${fwd.relativeError}`);
        const y = [
          ...c.x.slice(0, 2),
          ...c.x
            .slice(2)
            .map(
              (d, i) =>
                Math.floor((d + 2 * c.attrs.padding[i]! - c.attrs.kernelSize[i]!) / c.attrs.stride[i]!) + 1,
            ),
        ];
        const dy = { values: randomValues(rng, y), shape: y };
        const grad = compareKernel(n!, kind === 'Max' ? 'MaxPoolGrad' : 'AvgPoolGrad', [dy, x], {
          ...c.attrs,
          inputShape: c.x,
        });
        assert.ok(grad.relativeError < TOLERANCE, `backward error ${grad.relativeError}`);
      });
    }
  }
});

describe('oneDNN batch norm matches the reference', { skip }, () => {
  for (const [index, shape] of [
    [2, 16, 5, 6],
    [3, 5, 4, 3, 2],
    [1, 8, 7, 9],
  ].entries()) {
    test(`training, inference and gradient on [${shape}]`, () => {
      const rng = new Rng(300 + index);
      const c = shape[1]!;
      const x = { values: randomValues(rng, shape, 2), shape, blocked: true };
      const train = compareKernel(n!, 'BatchNorm', [x], { epsilon: 1e-5 });
      assert.ok(train.relativeError < TOLERANCE, `training error ${train.relativeError}`);
      const mean = { values: randomValues(rng, [c]), shape: [c] };
      const variance = { values: randomValues(rng, [c]).map((v) => v * v + 0.5), shape: [c] };
      const infer = compareKernel(n!, 'BatchNorm', [x, mean, variance], { epsilon: 1e-5 });
      assert.ok(infer.relativeError < TOLERANCE, `inference error ${infer.relativeError}`);
      // The gradient needs the batch statistics of x, as the op passes them.
      const m = new Float32Array(c);
      const v = new Float32Array(c);
      const per = x.values.length / c;
      const inner = shape.slice(2).reduce((p, d) => p * d, 1);
      for (let i = 0; i < x.values.length; i++) m[Math.floor(i / inner) % c]! += x.values[i]! / per;
      for (let i = 0; i < x.values.length; i++) {
        const k = Math.floor(i / inner) % c;
        v[k]! += (x.values[i]! - m[k]!) ** 2 / per;
      }
      const dy = { values: randomValues(rng, shape), shape };
      const grad = compareKernel(
        n!,
        'BatchNormGrad',
        [dy, x, { values: m, shape: [c] }, { values: v, shape: [c] }],
        { epsilon: 1e-5 },
      );
      assert.ok(grad.relativeError < TOLERANCE, `gradient error ${grad.relativeError}`);

      // With the affine inside the kernel: y = x̂ weight + bias, and [dx, dweight, dbias].
      const weight = { values: randomValues(rng, [c], 2), shape: [c] };
      const bias = { values: randomValues(rng, [c]), shape: [c] };
      const affine = { epsilon: 1e-5, affine: true };
      const trainAffine = compareKernel(n!, 'BatchNorm', [x, weight, bias], affine);
      assert.ok(trainAffine.relativeError < TOLERANCE, `affine training error ${trainAffine.relativeError}`);
      const inferAffine = compareKernel(n!, 'BatchNorm', [x, mean, variance, weight, bias], affine);
      assert.ok(inferAffine.relativeError < TOLERANCE, `affine inference error ${inferAffine.relativeError}`);
      const stats = [
        { values: m, shape: [c] },
        { values: v, shape: [c] },
      ];
      const gradAffine = compareKernel(n!, 'BatchNormGrad', [dy, x, ...stats, weight], affine);
      assert.ok(gradAffine.relativeError < TOLERANCE, `affine gradient error ${gradAffine.relativeError}`);
    });
  }
});

describe('instance norm and channel softmax match the reference in every layout', { skip }, () => {
  // The direct loops of native/src/channel_direct.cc run in the activation's own layout: plain,
  // 8- or 16-channel blocks. 14 channels leave padding in the last block; 47×53 = 2491 positions
  // make two instance-norm chunks (2048 positions) and several softmax work items (2048 / block
  // positions), with partial vectors at their ends; the 3D and 1D shapes take one thread.
  const shapes = [
    [2, 14, 47, 53],
    [1, 16, 5, 6, 7],
    [3, 8, 11],
  ];
  // The statistics [N, C] the gradient takes: the reference forward pass's.
  const statistics = (
    inputs: { values: Float32Array; shape: number[] }[],
    attrs: KernelAttrMap['InstanceNorm'],
  ) => {
    const infos = inputs.map((i) => ({ shape: i.shape, storage: Float32Array.from(i.values) }));
    const [, mean, rstd] = getKernel('reference', 'InstanceNorm')!(
      infos,
      attrs,
      referenceBackend,
    ) as TensorInfo[];
    return [mean!, rstd!].map((s) => ({ values: s.storage as Float32Array, shape: [...s.shape] }));
  };
  for (const [index, shape] of shapes.entries()) {
    for (const blocked of [false, 8, 16] as const) {
      const layout = blocked === false ? 'plain' : `blocked:${blocked}`;
      test(`[${shape}] ${layout}`, () => {
        const rng = new Rng(1100 + index);
        const c = shape[1]!;
        const expect = (r: Comparison, what: string) => {
          assert.equal(r.layouts[0], layout, `${what}: result layout`);
          assert.ok(r.relativeError < TOLERANCE, `${what}: relative error ${r.relativeError}`);
        };
        // Mean 50, standard deviation 2: a variance taken as E[x²] - mean² in float would be off.
        const x = { values: randomValues(rng, shape, 2).map((v) => v + 50), shape, blocked };
        const dy = { values: randomValues(rng, shape), shape, blocked };
        const weight = { values: randomValues(rng, [c], 2), shape: [c] };
        const bias = { values: randomValues(rng, [c]), shape: [c] };
        for (const affine of [false, true]) {
          for (const negativeSlope of [null, 0.1]) {
            const attrs = { epsilon: 1e-5, affine, negativeSlope };
            const params = affine ? [weight, bias] : [];
            const what = `instance norm${affine ? ' affine' : ''}${negativeSlope === null ? '' : ' + leaky ReLU'}`;
            expect(compareKernel(n!, 'InstanceNorm', [x, ...params], attrs), what);
            const stats = statistics([x, ...params], attrs);
            expect(
              compareKernel(n!, 'InstanceNormGrad', [dy, x, ...stats, ...params], attrs),
              `${what} gradient`,
            );
          }
        }
        // Logits with some far below the rest (their e^x underflows to 0) and some large ones.
        const logits = randomValues(rng, shape, 3);
        for (let i = 0; i < logits.length; i += 97) logits[i] = i % 2 === 0 ? -1e30 : 80;
        const z = { values: logits, shape, blocked };
        expect(compareKernel(n!, 'Softmax', [z], { axis: 1 }), 'softmax');
        expect(compareKernel(n!, 'LogSoftmax', [z], { axis: 1 }), 'log-softmax');
        // The gradient kernels are linear in dy for any y; y here need not be a softmax output.
        const y = { values: randomValues(rng, shape, 0.5), shape, blocked };
        expect(compareKernel(n!, 'SoftmaxGrad', [dy, y], { axis: 1 }), 'softmax gradient');
        expect(compareKernel(n!, 'LogSoftmaxGrad', [dy, y], { axis: 1 }), 'log-softmax gradient');
      });
    }
  }
});

describe('oneDNN deconvolution primitive (transposed convolution) matches the reference', { skip }, () => {
  // The engine runs transposed convolutions as convolution backward-data; the addon also offers
  // oneDNN's deconvolution primitive, whose forward, backward-data and backward-weights are the
  // reference's Conv*BackpropInput, Conv* and Conv*BackpropFilter with the roles swapped.
  const cases = [
    { x: [2, 32, 5, 6], w: [32, 16, 2, 2], stride: [2, 2], padding: [0, 0] },
    { x: [1, 3, 4, 5, 3], w: [3, 5, 3, 3, 3], stride: [2, 1, 2], padding: [1, 1, 0] },
  ];
  for (const [index, c] of cases.entries()) {
    test(`[${c.x}] with weights [${c.w}] stride ${c.stride}`, () => {
      const { addon, backend } = n!;
      const rng = new Rng(900 + index);
      const spatial = c.x.length - 2;
      const dilation = new Array<number>(spatial).fill(1);
      const y = [
        c.x[0]!,
        c.w[1]!,
        ...c.x.slice(2).map((d, i) => (d - 1) * c.stride[i]! - 2 * c.padding[i]! + c.w[i + 2]!),
      ];
      const xv = randomValues(rng, c.x);
      const wv = randomValues(rng, c.w, 0.3);
      const dyv = randomValues(rng, y);
      const [x, w, dy] = [addon.fromFloat32(xv, c.x), addon.fromFloat32(wv, c.w), addon.fromFloat32(dyv, y)];
      const g = { stride: c.stride, dilation, padL: c.padding, padR: c.padding };
      const reference = (
        name: 'BackpropInput' | '' | 'BackpropFilter',
        inputs: [Float32Array, number[]][],
        extra: object,
      ) => {
        const kernel = getKernel('reference', `Conv${spatial}D${name}` as 'Conv2D')!;
        const attrs = { stride: c.stride, padding: c.padding, dilation, ...extra };
        const out = kernel(
          inputs.map(([values, shape]) => ({ shape, storage: values })),
          attrs as never,
          backend,
        );
        return (Array.isArray(out) ? out[0]! : out).storage as Float32Array;
      };
      const close = (got: Float32Array, want: Float32Array, what: string) => {
        const scale = Math.max(1, ...want.map(Math.abs));
        const worst = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
        assert.ok(worst / scale < TOLERANCE, `${what}: relative error ${worst / scale}`);
      };
      const fwd = addon.convForward([x, w, null], { ...g, transposed: true });
      close(
        addon.toFloat32(fwd),
        reference(
          'BackpropInput',
          [
            [xv, c.x],
            [wv, c.w],
          ],
          { inputShape: y },
        ),
        'forward',
      );
      const data = addon.convBackwardData([dy, w], { ...g, transposed: true, inputShape: c.x });
      close(
        addon.toFloat32(data),
        reference(
          '',
          [
            [dyv, y],
            [wv, c.w],
          ],
          {},
        ),
        'backward-data',
      );
      const [dw, db] = addon.convBackwardWeights([x, dy], {
        ...g,
        transposed: true,
        filterShape: c.w,
        withBias: true,
      });
      close(
        addon.toFloat32(dw!),
        reference(
          'BackpropFilter',
          [
            [dyv, y],
            [xv, c.x],
          ],
          { filterShape: c.w },
        ),
        'backward-weights',
      );
      const biasGrad = new Float32Array(c.w[1]!);
      const inner = y.slice(2).reduce((p, d) => p * d, 1);
      dyv.forEach((v, i) => {
        biasGrad[Math.floor(i / inner) % c.w[1]!]! += v;
      });
      close(addon.toFloat32(db!), biasGrad, 'bias gradient');
      for (const h of [x, w, dy, fwd, data, dw!, db!]) addon.dispose(h);
    });
  }
});

describe('oneDNN layer norm matches the reference', { skip }, () => {
  for (const [index, shape] of [
    [7, 33],
    [2, 5, 64],
  ].entries()) {
    test(`forward and gradient on [${shape}]`, () => {
      const rng = new Rng(1000 + index);
      const x = { values: randomValues(rng, shape, 2), shape };
      const fwd = compareKernel(n!, 'LayerNorm', [x], { epsilon: 1e-5 });
      assert.ok(fwd.relativeError < TOLERANCE, `forward error ${fwd.relativeError}`);
      const rows = shape.slice(0, -1);
      const inner = shape[shape.length - 1]!;
      const count = rows.reduce((p, d) => p * d, 1);
      const mean = new Float32Array(count);
      const variance = new Float32Array(count);
      for (let r = 0; r < count; r++) {
        const row = x.values.subarray(r * inner, (r + 1) * inner);
        mean[r] = row.reduce((p, v) => p + v, 0) / inner;
        variance[r] = row.reduce((p, v) => p + (v - mean[r]!) ** 2, 0) / inner;
      }
      const dy = { values: randomValues(rng, shape), shape };
      const grad = compareKernel(
        n!,
        'LayerNormGrad',
        [dy, x, { values: mean, shape: rows }, { values: variance, shape: rows }],
        { epsilon: 1e-5 },
      );
      assert.ok(grad.relativeError < TOLERANCE, `gradient error ${grad.relativeError}`);
    });
  }
});
