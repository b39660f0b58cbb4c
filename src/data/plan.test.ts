import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DatasetFingerprint,
  defaultPlannerSettings,
  medianShapeAtSpacing,
  planConfiguration,
  planExperiment,
  planToFinetuneSettings,
  poolingTopology,
  targetSpacing,
  type Vec3,
} from './plan.js';

test('target spacing is the median; an anisotropic axis with few voxels takes its 10th percentile', () => {
  const xy = (z: number): Vec3 => [0.8, 0.8, z];
  const spacings = [xy(5), xy(5), xy(5), xy(1), xy(1.5)];
  // 60 slices × 3 < 512 in-plane voxels: anisotropic in spacing and voxels → percentile 10 of
  // [1, 1.5, 5, 5, 5] = 1 + 0.4 × 0.5 = 1.2 (numpy's linear interpolation).
  const thin: Vec3[] = spacings.map(() => [512, 512, 60]);
  const t = targetSpacing(spacings, thin);
  assert.deepEqual(t.slice(0, 2), [0.8, 0.8]);
  assert.ok(Math.abs(t[2] - 1.2) < 1e-12, String(t[2]));
  // 200 slices: not few enough voxels, the median stays.
  assert.deepEqual(
    targetSpacing(
      spacings,
      spacings.map(() => [512, 512, 200]),
    ),
    [0.8, 0.8, 5],
  );
  // Isotropic-ish data: plain median per axis.
  assert.deepEqual(
    targetSpacing(
      [
        [1, 1, 2],
        [2, 1, 3],
        [3, 1, 2],
      ],
      [
        [10, 10, 10],
        [10, 10, 10],
        [10, 10, 10],
      ],
    ),
    [2, 1, 2],
  );
  // The 10th percentile never goes below the in-plane spacing.
  const coarse = targetSpacing([xy(5), xy(5), xy(5), xy(0.5), xy(0.5)], thin);
  assert.ok(coarse[2] > 0.8 && coarse[2] < 0.8001);
});

test('median shape at the target spacing resamples each case first (compute_new_shape)', () => {
  assert.deepEqual(
    medianShapeAtSpacing(
      [
        [1, 1, 2],
        [2, 2, 2],
        [1, 1, 1],
      ],
      [
        [100, 100, 50],
        [50, 60, 50],
        [80, 80, 80],
      ],
      [1, 1, 1],
    ),
    // x: 100, 100, 80; y: 100, 120, 80; z: 100, 100, 80 (resampled, not the raw 50, 50, 80).
    [100, 100, 100],
  );
});

test('pooling: both axes halve down to 4-voxel maps; an anisotropic axis waits until the others catch up', () => {
  const square = poolingTopology([1, 1], [128, 128]);
  assert.deepEqual(square.poolsPerAxis, [5, 5]);
  assert.deepEqual(square.patch, [128, 128]);
  // 1 × 1 × 4 mm: z pools only once x and y reach 4 mm (after two in-plane pools).
  const aniso = poolingTopology([1, 1, 4], [64, 64, 16]);
  assert.deepEqual(aniso.poolKernels, [
    [2, 2, 1],
    [2, 2, 1],
    [2, 2, 2],
    [2, 2, 2],
  ]);
  assert.deepEqual(aniso.poolsPerAxis, [4, 4, 2]);
  // A patch not divisible by 2^pools is padded up.
  assert.deepEqual(poolingTopology([1, 1], [100, 60]).patch, [112, 64]);
});

test('2D configuration: the median slice when it fits the budget, the batch fills it; shrinks otherwise', () => {
  const roomy = planConfiguration([1, 1], [160, 128], 1e9, defaultPlannerSettings);
  assert.deepEqual(roomy.patch, [160, 128]);
  assert.equal(roomy.batch, Math.floor(defaultPlannerSettings.voxelBudget2d / (160 * 128)));
  assert.equal(roomy.stages, 6);
  assert.deepEqual(roomy.widths, [16, 32, 64, 128, 256, 256]);
  const tight = planConfiguration([1, 1], [512, 512], 1e9, {
    ...defaultPlannerSettings,
    voxelBudget2d: 2 * 96 * 96,
  });
  assert.ok(tight.patch[0]! * tight.patch[1]! * 2 <= 2 * 96 * 96, String(tight.patch));
  assert.equal(tight.batch, 2);
  for (const [a, n] of tight.patch.entries()) assert.equal(n % 2 ** tight.poolsPerAxis[a]!, 0);
  // A small dataset caps the batch at 5 % of its voxels, but never below 2.
  const few = planConfiguration([1, 1], [64, 64], 64 * 64 * 20, defaultPlannerSettings);
  assert.equal(few.batch, 2);
});

test('3D configuration follows the spacing: an anisotropic axis gets a shorter patch', () => {
  const c = planConfiguration([1, 1, 3], [200, 200, 100], 1e12, defaultPlannerSettings);
  assert.ok(
    c.patch[0]! * c.patch[1]! * c.patch[2]! * 2 <= defaultPlannerSettings.voxelBudget3d,
    String(c.patch),
  );
  assert.ok(c.patch[2]! < c.patch[0]!, String(c.patch));
  assert.ok(c.poolsPerAxis[2]! < c.poolsPerAxis[0]!);
});

function fingerprint(overrides: Partial<DatasetFingerprint> = {}): DatasetFingerprint {
  const stats = { mean: 100, sd: 50, median: 90, min: -900, max: 1500, p00_5: -50, p99_5: 300, samples: 10 };
  return {
    format: 'btcv',
    root: '/data',
    channels: ['CT'],
    modalities: ['ct'],
    labels: { 0: 'background', 1: 'spleen' },
    cases: ['a', 'b', 'c'],
    spacings: [
      [0.8, 0.8, 3],
      [0.8, 0.8, 3],
      [0.8, 0.8, 3],
    ],
    shapesAfterCrop: [
      [200, 160, 60],
      [200, 160, 60],
      [200, 160, 60],
    ],
    medianRelativeSizeAfterCrop: 1,
    foregroundIntensity: [stats],
    ...overrides,
  };
}

test('CT channels clip to the foreground 0.5–99.5 percentiles and z-score with its mean and sd; MR z-scores per image', () => {
  const ct = planExperiment(fingerprint());
  assert.deepEqual(ct.normalization, [{ kind: 'ct-zscore', low: -50, high: 300, mean: 100, sd: 50 }]);
  assert.deepEqual(ct.output, { kind: 'classes', labels: { 0: 'background', 1: 'spleen' } });
  const settings = planToFinetuneSettings(ct, '2d');
  assert.deepEqual(settings.preprocess.intensity, ct.normalization[0]);
  assert.deepEqual(settings.preprocess.spacing, [0.8, 0.8, 3]);
  assert.ok(ct.configurations['3d_fullres']);

  const stats = fingerprint().foregroundIntensity[0]!;
  const brats = planExperiment(
    fingerprint({
      format: 'brats',
      channels: ['t1', 't1ce', 't2', 'flair'],
      modalities: ['mr', 'mr', 'mr', 'mr'],
      foregroundIntensity: [stats, stats, stats, stats],
      regions: [{ name: 'whole tumour', labels: [1, 2, 4] }],
    }),
  );
  assert.equal(brats.inputChannels, 4);
  assert.deepEqual(
    brats.normalization.map((n) => n.kind),
    ['zscore', 'zscore', 'zscore', 'zscore'],
  );
  assert.equal(brats.output.kind, 'regions');
  const bratsSettings = planToFinetuneSettings(brats, '3d_fullres');
  assert.equal((bratsSettings.preprocess.intensity as unknown[]).length, 4);
});
