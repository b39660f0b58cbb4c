import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Volume } from '../volume/volume.js';
import { diceScore, nanMean } from './dice.js';
import { evaluateCase } from './evaluate.js';
import { hausdorff95, hausdorffDistance, percentile } from './hausdorff.js';
import { labelMapProblem } from './label-map.js';
import { summarizeEvaluations } from './summary.js';
import { maskEdges, surfaceDistances } from './surface.js';
import { normalizedSurfaceDice } from './surface-dice.js';

const dims = [10, 10, 10];

/** A 10³ mask with the box [x0, x1) × [y0, y1) × [z0, z1) set to `value`. */
function cube(x0: number, x1: number, y0: number, y1: number, z0: number, z1: number, value = 1): Uint8Array {
  const m = new Uint8Array(1000);
  for (let z = z0; z < z1; z++)
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[x + 10 * (y + 10 * z)] = value;
  return m;
}

test('percentile interpolates linearly like numpy.percentile', () => {
  // numpy.percentile([1, 2, 3, 4], 95) == 3.85, ([5], 95) == 5, ([0, 10], 50) == 5
  assert.ok(Math.abs(percentile([4, 1, 3, 2], 95) - 3.85) < 1e-12);
  assert.equal(percentile([5], 95), 5);
  assert.equal(percentile([10, 0], 50), 5);
  assert.equal(percentile([1, Number.POSITIVE_INFINITY], 100), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(percentile([], 95)));
});

test('surface of a 4³ cube is its 56 outer voxels; a cube on the image border keeps its border face', () => {
  assert.equal(
    maskEdges(cube(2, 6, 2, 6, 2, 6), dims).reduce((s, v) => s + v, 0),
    4 ** 3 - 2 ** 3,
  );
  // A 3×3×3 block in the corner: erosion treats outside as background, so all 27 − 1 are edges.
  assert.equal(
    maskEdges(cube(0, 3, 0, 3, 0, 3), dims).reduce((s, v) => s + v, 0),
    26,
  );
  // 2D (nz = 1): 4-neighbourhood only; a 4×4 square has 12 edge pixels.
  const square = new Uint8Array(36);
  for (let y = 1; y < 5; y++) for (let x = 1; x < 5; x++) square[x + 6 * y] = 1;
  assert.equal(
    maskEdges(square, [6, 6, 1]).reduce((s, v) => s + v, 0),
    12,
  );
});

test('two 4³ cubes offset by one voxel: Dice 0.75, HD95 = one voxel, NSD by hand', () => {
  const a = cube(2, 6, 2, 6, 2, 6);
  const b = cube(3, 7, 2, 6, 2, 6);
  // |A∩B| = 3·4·4 = 48 → 2·48 / 128.
  assert.equal(diceScore(a, b), 0.75);
  // Each surface has 56 voxels, 36 of them on the other surface. With 2 mm along x, the 16 voxels of
  // the trailing face are 2 mm from it, and the 2×2 middle of the leading face is 1 mm from the
  // other's y/z faces. Exact: distances are whole multiples of the spacing.
  const d = surfaceDistances(a, b, dims, [2, 1, 1]);
  assert.equal(d.predToGt.length, 56);
  assert.equal(d.predToGt.filter((v) => v === 2).length, 16);
  assert.equal(d.predToGt.filter((v) => v === 1).length, 4);
  assert.equal(d.predToGt.filter((v) => v === 0).length, 36);
  assert.equal(hausdorff95(a, b, dims, [2, 1, 1]), 2);
  assert.equal(hausdorff95(a, b, dims, [1, 1, 1]), 1);
  assert.equal(normalizedSurfaceDice(a, b, dims, [1, 1, 1], 1), 1);
  assert.equal(normalizedSurfaceDice(a, b, dims, [2, 1, 1], 1), 80 / 112);
  assert.equal(normalizedSurfaceDice(a, b, dims, [1, 1, 1], 0.5), 72 / 112);
  assert.equal(normalizedSurfaceDice(a, b, dims, [2, 1, 1], 2), 1);
});

test('HD95 is the larger of the two directed 95th percentiles (MONAI), not the percentile of the union', () => {
  // One voxel inside a 7³ cube: pred→gt has the single distance 3, gt→pred ranges 3…√27.
  const gt = cube(1, 8, 1, 8, 1, 8);
  const pred = cube(4, 5, 4, 5, 4, 5);
  const d = surfaceDistances(pred, gt, dims, [1, 1, 1]);
  assert.deepEqual([...d.predToGt], [3]);
  assert.equal(d.gtToPred.length, 7 ** 3 - 5 ** 3);
  const expected = Math.max(percentile(d.predToGt, 95), percentile(d.gtToPred, 95));
  assert.equal(hausdorff95(pred, gt, dims, [1, 1, 1]), expected);
  const union = percentile([...d.predToGt, ...d.gtToPred], 95);
  assert.ok(expected > 3 && Math.abs(expected - union) < 1, 'both near the corner distance');
  assert.equal(hausdorffDistance(pred, gt, dims, [1, 1, 1]), Math.sqrt(27));
});

test('empty masks follow MONAI: empty truth → Dice NaN (ignore_empty), or 1/0 without it; empty prediction → 0, HD95 ∞', () => {
  const empty = new Uint8Array(1000);
  const a = cube(2, 6, 2, 6, 2, 6);
  // DiceMetric(ignore_empty=True), MONAI's default: no truth, no Dice, whatever was predicted.
  assert.ok(Number.isNaN(diceScore(empty, empty)));
  assert.ok(Number.isNaN(diceScore(a, empty)));
  assert.equal(diceScore(empty, empty, undefined, { ignoreEmpty: false }), 1);
  assert.equal(diceScore(a, empty, undefined, { ignoreEmpty: false }), 0);
  assert.equal(diceScore(empty, a), 0);
  assert.ok(Number.isNaN(hausdorff95(empty, empty, dims, [1, 1, 1])));
  assert.ok(Number.isNaN(normalizedSurfaceDice(empty, empty, dims, [1, 1, 1])));
  for (const [p, g] of [
    [a, empty],
    [empty, a],
  ] as const) {
    assert.equal(hausdorff95(p, g, dims, [1, 1, 1]), Number.POSITIVE_INFINITY);
    assert.equal(normalizedSurfaceDice(p, g, dims, [1, 1, 1]), 0);
  }
  assert.equal(nanMean([0.5, Number.NaN, 1]), 0.75);
  assert.ok(Number.isNaN(nanMean([Number.NaN])));
});

test('evaluateCase: an organ absent from the truth is left out and its prediction is a false positive in mL', () => {
  const grid = (data: Uint8Array): Volume => ({
    data,
    dims,
    spacing: [2, 1, 1],
    affine: [
      [2, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    datatype: 'uint8',
  });
  // Organ 1 in both; organ 2 (a 4³ cube of 2 mm³ voxels = 0.128 mL) only in the prediction;
  // organ 3 in neither.
  const pred = cube(2, 6, 2, 6, 2, 6, 1);
  pred.set(cube(6, 10, 6, 10, 6, 10, 2).map((v, i) => v || pred[i]!));
  const gt = cube(2, 6, 2, 6, 2, 6, 1);
  const [one, two, three] = evaluateCase(grid(pred), grid(gt), [1, 2, 3]);
  assert.equal(one!.dice, 1);
  assert.equal(one!.falsePositiveMl, undefined);
  assert.ok(Number.isNaN(two!.dice) && Number.isNaN(two!.hd95) && Number.isNaN(two!.nsd));
  assert.ok(Math.abs(two!.falsePositiveMl! - 0.128) < 1e-12);
  assert.ok(Number.isNaN(three!.dice));
  assert.equal(three!.falsePositiveMl, 0);
  const [organ] = summarizeEvaluations([
    { case: 'a', organs: [two!] },
    // The same organ in a second case that lacks it and where nothing was predicted.
    { case: 'b', organs: [{ ...three!, label: 2, name: two!.name }] },
  ]);
  assert.ok(Number.isNaN(organ!.dice.mean));
  assert.equal(organ!.dice.count, 0);
  assert.deepEqual(
    { ...organ!.falsePositive, meanMl: Number(organ!.falsePositive.meanMl.toFixed(9)) },
    {
      absentCases: 2,
      predictedCases: 1,
      meanMl: 0.064,
      maxMl: two!.falsePositiveMl,
    },
  );
});

test('labelMapProblem refuses images: non-integer, negative, or too many values; names the count', () => {
  assert.equal(labelMapProblem(new Float32Array([0, 1, 1, 2, 13])), undefined);
  assert.equal(labelMapProblem(new Int16Array([0, 205, 500, 850])), undefined);
  const ct = Float32Array.from({ length: 5000 }, (_, i) => -1000 + i * 0.7);
  assert.match(labelMapProblem(ct)!, /not a label map: 5,000 distinct values, non-integer, negative/);
  assert.match(labelMapProblem(new Int16Array([0, -1024, 3]))!, /3 distinct values, negative/);
  const wide = Uint16Array.from({ length: 2000 }, (_, i) => i);
  assert.match(labelMapProblem(wide)!, /2,000 distinct values, more than 1000/);
});

test('label values select one class of a label map', () => {
  const pred = cube(2, 6, 2, 6, 2, 6, 3);
  const gt = cube(3, 7, 2, 6, 2, 6, 3);
  gt[0] = 5;
  assert.equal(diceScore(pred, gt, 3), 0.75);
  assert.equal(diceScore(pred, gt, 5), 0);
  assert.equal(hausdorff95(pred, gt, dims, [1, 1, 1], 3), 1);
});

test('one-voxel and one-slice masks in a 3D image are all surface (the crop is not mistaken for 2D)', () => {
  const a = new Uint8Array(1000);
  const b = new Uint8Array(1000);
  a[2 + 10 * (2 + 10 * 2)] = 1;
  b[5 + 10 * (2 + 10 * 2)] = 1;
  const d = surfaceDistances(a, b, dims, [1, 1, 1]);
  assert.deepEqual([...d.predToGt], [3]);
  assert.deepEqual([...d.gtToPred], [3]);
  assert.equal(hausdorff95(a, b, dims, [1, 1, 1]), 3);
  // Only the gt voxel, no prediction: Infinity, not NaN.
  assert.equal(hausdorff95(new Uint8Array(1000), b, dims, [1, 1, 1]), Number.POSITIVE_INFINITY);
  // A 4×4 plate one slice thick: every voxel has a background z-neighbour.
  const plate = cube(2, 6, 2, 6, 4, 5);
  assert.equal(surfaceDistances(plate, plate, dims, [1, 1, 1]).predToGt.length, 16);
});
