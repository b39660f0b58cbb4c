import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BRATS_REGIONS } from '../data/brats.js';
import { regionTargets } from '../data/regions.js';
import { backward, parameter } from '../engine/index.js';
import { deepSupervisionRegionLoss, regionBceDiceLoss } from './region-losses.js';

const regions = Object.values(BRATS_REGIONS);

/** The slow, obvious reference: mean BCE over all entries + 1 − mean over regions of batch soft Dice. */
function reference(
  logits: Float32Array,
  targets: Float32Array,
  n: number,
  r: number,
  spatial: number,
): number {
  let bce = 0;
  for (let i = 0; i < logits.length; i++) {
    const p = 1 / (1 + Math.exp(-logits[i]!));
    bce -= targets[i]! * Math.log(p) + (1 - targets[i]!) * Math.log(1 - p);
  }
  bce /= logits.length;
  let dice = 0;
  for (let k = 0; k < r; k++) {
    let inter = 0;
    let den = 0;
    for (let b = 0; b < n; b++)
      for (let s = 0; s < spatial; s++) {
        const i = (b * r + k) * spatial + s;
        const p = 1 / (1 + Math.exp(-logits[i]!));
        inter += p * targets[i]!;
        den += p + targets[i]!;
      }
    dice += (2 * inter + 1e-5) / (den + 1e-5);
  }
  return bce + 1 - dice / r;
}

test('region loss = BCE + (1 − batch soft Dice) per sigmoid region, against a slow reference', () => {
  const [n, spatial] = [2, 12];
  const labels = Uint8Array.from({ length: n * spatial }, (_, i) => [0, 1, 2, 4][(i * 7) % 4]!);
  const values = Float32Array.from({ length: n * 3 * spatial }, (_, i) => Math.sin(i * 1.3) * 3);
  const logits = parameter(values, [n, 3, 3, 4]);
  const { loss } = regionBceDiceLoss(logits, labels, regions);
  const expected = reference(values, regionTargets(labels, n, regions), n, 3, spatial);
  assert.ok(Math.abs(loss.item() - expected) < 1e-5, `${loss.item()} vs ${expected}`);
  backward(loss);
  assert.deepEqual(logits.grad?.shape, [n, 3, 3, 4]);
  // Confident, correct logits: loss near 0.
  const targets = regionTargets(labels, n, regions);
  const perfect = parameter(
    targets.map((t) => (t ? 20 : -20)),
    [n, 3, 3, 4],
  );
  assert.ok(regionBceDiceLoss(perfect, labels, regions).loss.item() < 1e-3);
});

test('deep supervision region loss: weights 2/3 and 1/3, labels taken at the stride origin', () => {
  const labels = Uint8Array.from({ length: 2 * 16 }, (_, i) => [0, 1, 2, 4][(i * 5) % 4]!);
  const full = parameter(
    Float32Array.from({ length: 2 * 3 * 16 }, (_, i) => Math.cos(i * 0.7) * 2),
    [2, 3, 4, 4],
  );
  const half = parameter(
    Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i * 0.9) * 2),
    [2, 3, 2, 2],
  );
  const halfLabels = Uint8Array.from({ length: 2 * 4 }, (_, i) => {
    const [b, y, x] = [Math.floor(i / 4), Math.floor((i % 4) / 2), i % 2];
    return labels[b * 16 + 2 * y * 4 + 2 * x]!;
  });
  const expected =
    (2 / 3) * regionBceDiceLoss(full, labels, regions).loss.item() +
    (1 / 3) * regionBceDiceLoss(half, halfLabels, regions).loss.item();
  const combined = deepSupervisionRegionLoss([full, half], labels, regions);
  assert.ok(Math.abs(combined.loss.item() - expected) < 1e-6, `${combined.loss.item()} vs ${expected}`);
  assert.equal(combined.dice.item(), regionBceDiceLoss(full, labels, regions).dice.item());
});
