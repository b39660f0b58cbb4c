import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, parameter, tensor, tidy } from '../engine/index.js';
import { gradientCheck, randomValues } from '../engine/testing/gradient-check.js';
import { deepSupervisionWeights, diceCeLoss, downsampleLabels, oneHot } from './segmentation-losses.js';

test('oneHot places a 1 in the class channel of every voxel', () => {
  const t = oneHot([0, 2, 1, 1], [2, 3, 2]);
  assert.deepEqual([...t], [1, 0, 0, 0, 0, 1, /* sample 2 */ 0, 0, 1, 1, 0, 0]);
  assert.throws(() => oneHot([0, 3], [1, 3, 2]), /outside/);
});

test('Dice + CE: near 0 for confident correct logits, large for confident wrong ones', () => {
  const labels = [0, 1, 2, 1, 0, 2];
  const logits = (correct: boolean) => {
    const v = new Float32Array(1 * 3 * 6);
    labels.forEach((k, p) => {
      v[(correct ? k : (k + 1) % 3) * 6 + p] = 20;
    });
    return tensor(v, [1, 3, 6]);
  };
  tidy(() => {
    const good = diceCeLoss(logits(true), labels);
    const bad = diceCeLoss(logits(false), labels);
    // exp(−20) ≈ 2e-9: CE and 1 − Dice are both below 1e-6.
    assert.ok(good.loss.item() < 1e-6, `good ${good.loss.item()}`);
    assert.ok(bad.crossEntropy.item() > 19, `bad CE ${bad.crossEntropy.item()}`);
    assert.ok(bad.dice.item() > 0.99, `bad dice loss ${bad.dice.item()}`);
  });
});

test('Dice + CE gradients match central differences (2D and 3D logits)', () => {
  for (const shape of [
    [2, 3, 3, 2],
    [1, 2, 2, 2, 3],
  ]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const voxels = n / shape[1]!;
    const labels = Array.from({ length: voxels }, (_, i) => (i * 7) % shape[1]!);
    const result = gradientCheck((x) => diceCeLoss(x, labels).loss, [{ shape, values: randomValues(n, 11) }]);
    // float32 forward with eps 1e-2 agrees to ~1e-3 relative (see gradient-check.ts).
    assert.ok(result.maxError < 1e-2, `${shape}: ${result.where}`);
  }
});

test('a gradient step on the logits lowers the loss', () => {
  const labels = [0, 1, 1, 0, 1, 0, 0, 0];
  const x = parameter(randomValues(16, 5), [1, 2, 8]);
  const before = tidy(() => {
    const l = diceCeLoss(x, labels).loss;
    backward(l);
    return l.item();
  });
  const g = x.grad!.toFloat32Array();
  const stepped = x.toFloat32Array().map((v, i) => v - 0.5 * g[i]!);
  const after = tidy(() => diceCeLoss(tensor(stepped, [1, 2, 8]), labels).loss.item());
  assert.ok(after < before, `${after} !< ${before}`);
});

test('deep supervision: nnU-Net weights 1, 1/2, 1/4 normalised; targets down-sampled by nearest', () => {
  const w = deepSupervisionWeights(3);
  assert.deepEqual(
    w.map((x) => Number(x.toFixed(6))),
    [0.571429, 0.285714, 0.142857],
  );
  // 2 samples of 4×4 → 2×2: the voxel at each stride origin.
  const labels = Uint8Array.from({ length: 32 }, (_, i) => i % 16);
  assert.deepEqual([...downsampleLabels(labels, 2, [4, 4], [2, 2])], [0, 2, 8, 10, 0, 2, 8, 10]);
  assert.deepEqual([...downsampleLabels(labels, 1, [2, 2, 4], [1, 1, 2])], [0, 2]);
});
