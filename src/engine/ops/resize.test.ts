import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
import { runKernel1 } from '../dispatch.js';
import { gradientCheck, randomValues, useTestBackend } from '../testing/gradient-check.js';
import { interpolate, upsample } from './resize.js';

useTestBackend();

test('nearest up-sampling repeats values', () => {
  const y = upsample(tensor([1, 2, 3, 4], [1, 1, 2, 2]), 2);
  assert.deepEqual([...y.data()], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
});

test('bilinear with align_corners=False matches PyTorch on a known case', () => {
  // torch.nn.functional.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), scale_factor=2,
  //   mode='bilinear', align_corners=False)[0, 0, 0] == [1.0, 1.25, 1.75, 2.0]
  const y = interpolate(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [4, 4], 'linear');
  assert.deepEqual([...y.data().subarray(0, 4)], [1, 1.25, 1.75, 2]);
  assert.deepEqual([...y.data().subarray(4, 8)], [1.5, 1.75, 2.25, 2.5]);
  // Down-sampling 1D-like: mean of the pair at scale 2 ([0.5 + 1.5] / 2 index mapping).
  const d = interpolate(tensor([0, 1, 2, 3], [1, 1, 1, 4]), [1, 2], 'linear');
  assert.deepEqual([...d.data()], [0.5, 2.5]);
});

test('trilinear and nearest 3D shapes and gradients', () => {
  const x = { shape: [1, 2, 2, 3, 2], values: randomValues(24, 1) };
  for (const [mode, size] of [
    ['linear', [3, 5, 4]],
    ['nearest', [4, 6, 3]],
    ['linear', [1, 2, 1]],
  ] as const) {
    const r = gradientCheck((t) => interpolate(t!, size, mode), [x]);
    // Linear in the input: finite differences are exact up to float32 rounding; tolerance 1e-2.
    assert.ok(r.maxError < 1e-2, `${mode} [${size}]: ${r.where}`);
  }
  const r2 = gradientCheck(
    (t) => interpolate(t!, [5, 3], 'linear'),
    [{ shape: [2, 1, 3, 4], values: randomValues(24, 2) }],
  );
  assert.ok(r2.maxError < 1e-2, r2.where);
});

/** Bilinear (align_corners=False) of one plane by direct taps: the definition, not separable passes. */
function bilinearDirect(x: Float32Array, h: number, w: number, oh: number, ow: number): Float64Array {
  const coord = (o: number, inSize: number, outSize: number): [number, number, number] => {
    const src = Math.max((o + 0.5) * (inSize / outSize) - 0.5, 0);
    const lo = Math.min(Math.floor(src), inSize - 1);
    return [lo, Math.min(lo + 1, inSize - 1), Math.fround(src - lo)];
  };
  const y = new Float64Array(oh * ow);
  for (let i = 0; i < oh; i++) {
    const [y0, y1, wy] = coord(i, h, oh);
    for (let j = 0; j < ow; j++) {
      const [x0, x1, wx] = coord(j, w, ow);
      y[i * ow + j] =
        (1 - wy) * ((1 - wx) * x[y0 * w + x0]! + wx * x[y0 * w + x1]!) +
        wy * ((1 - wx) * x[y1 * w + x0]! + wx * x[y1 * w + x1]!);
    }
  }
  return y;
}

test('bilinear resizing equals direct taps, and its gradient is the adjoint', () => {
  // Up along H (5 → 9), down along W (7 → 4), several planes.
  const [n, c, h, w, oh, ow] = [2, 3, 5, 7, 9, 4];
  const xs = randomValues(n * c * h * w, 11);
  const x = tensor(xs, [n, c, h, w]);
  const y = interpolate(x, [oh, ow], 'linear');
  assert.deepEqual(y.shape, [n, c, oh, ow]);
  const got = y.toFloat32Array();
  // Tolerance 1e-6: float32 rounding of values of magnitude ≲ 4; an index slip moves values by ~0.1 or more.
  for (let p = 0; p < n * c; p++) {
    const want = bilinearDirect(xs.subarray(p * h * w, (p + 1) * h * w), h, w, oh, ow);
    for (let i = 0; i < oh * ow; i++) {
      assert.ok(Math.abs(got[p * oh * ow + i]! - want[i]!) < 1e-6, `plane ${p} index ${i}`);
    }
  }
  // <resize(x), r> = <x, resizeGrad(r)> for the linear map, summed in float64 (tolerance 1e-5).
  const r = randomValues(n * c * oh * ow, 12);
  const dx = runKernel1('ResizeLinearGrad', [tensor(r, [n, c, oh, ow])], { inputShape: [n, c, h, w] });
  const g = dx.toFloat32Array();
  let lhs = 0;
  let rhs = 0;
  for (let i = 0; i < r.length; i++) lhs += got[i]! * r[i]!;
  for (let i = 0; i < xs.length; i++) rhs += xs[i]! * g[i]!;
  assert.ok(Math.abs(lhs - rhs) < 1e-5 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
});
