import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seed } from '../engine/index.js';
import { Linear } from './layers/linear.js';
import { loadStateDict, namedParameters, namedTensors, parameterCount } from './module.js';
import { ProjectionHead } from './projection.js';
import { UNet2dEncoder } from './unet2d-encoder.js';

test('flat parameter names follow the fields, PyTorch style', () => {
  seed(0);
  const enc = new UNet2dEncoder({ inChannels: 1, widths: [4, 8] });
  const names = namedParameters(enc).map(([n]) => n);
  assert.deepEqual(names.slice(0, 3), ['stem.weight', 'stemNorm.weight', 'stemNorm.bias']);
  assert.ok(names.includes('stages.0.conv1.weight'));
  assert.ok(names.includes('stages.1.shortcut.weight'));
  assert.ok(!names.includes('stages.0.shortcut.weight'), 'no shortcut conv when the shape is kept');
  // stem 1·4·9, per stage: conv1, conv2, norms, shortcut (stage 1 only)
  const expected = 36 + 8 + (4 * 4 * 9 + 8 + 4 * 4 * 9 + 8) + (8 * 4 * 9 + 16 + 8 * 8 * 9 + 16 + 8 * 4 + 16);
  assert.equal(parameterCount(enc), expected);
});

test('buffers (batch-norm running statistics) are stored but not trained', () => {
  const head = new ProjectionHead(3, 2);
  const params = namedParameters(head).map(([n]) => n);
  const all = namedTensors(head).map(([n]) => n);
  assert.ok(!params.includes('norm.runningMean'));
  assert.ok(all.includes('norm.runningMean') && all.includes('norm.runningVar'));
});

test('loadStateDict copies values by name and names a shape mismatch', () => {
  seed(1);
  const a = new Linear(3, 2);
  seed(2);
  const b = new Linear(3, 2);
  const values = new Map(
    namedTensors(a).map(([n, t]) => [n, { shape: t.shape, values: t.toFloat32Array() }]),
  );
  loadStateDict(b, values);
  assert.deepEqual(b.weight.toFloat32Array(), a.weight.toFloat32Array());
  values.set('weight', { shape: [2, 4], values: new Float32Array(8) });
  assert.throws(() => loadStateDict(b, values), /weight: saved shape \[2,4\]/);
  assert.throws(() => loadStateDict(b, new Map()), /missing weights: weight, bias/);
});
