import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../creation.js';
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
