import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import {
  fixtureImage,
  fixtureLabel,
  makeBrats,
  makeBtcv,
  makeMmwhs,
  tempDir,
} from '../../test/fixtures-datasets.js';
import { run as planCommand } from '../cli/plan.js';
import { InputError } from '../errors.js';
import { openDataset } from './dataset.js';
import { channelModality, extractFingerprint, intensityStatistics } from './fingerprint.js';
import { planExperiment } from './plan.js';
import { preprocessVolume } from './preprocess.js';
import { resolvePlan } from './resolve-plan.js';

const root = tempDir('mosmos-plan-');
after(() => rmSync(root, { recursive: true, force: true }));

test('intensity statistics: mean, population sd and numpy percentiles of the samples', () => {
  const s = intensityStatistics(Float32Array.from({ length: 201 }, (_, i) => i));
  assert.equal(s.mean, 100);
  assert.equal(s.median, 100);
  assert.equal(s.p00_5, 1);
  assert.equal(s.p99_5, 199);
  assert.ok(Math.abs(s.sd - Math.sqrt((201 * 201 - 1) / 12)) < 1e-9);
});

test('channel modality from names; a CT|MR dataset needs --modality', () => {
  assert.equal(channelModality('CT'), 'ct');
  assert.equal(channelModality('t1ce'), 'mr');
  assert.equal(channelModality('FLAIR'), 'mr');
  assert.equal(channelModality('image'), 'other');
  assert.equal(channelModality('image', 'mr'), 'mr');
  assert.throws(() => channelModality('CT|MR'), InputError);
});

test('BTCV fingerprint: RAS spacing, shape, and foreground stats over every labelled voxel', async () => {
  const dir = await makeBtcv(join(root, 'btcv'), [1, 2, 3]);
  const fp = await extractFingerprint(openDataset(dir));
  assert.deepEqual(fp.cases, ['0001', '0002', '0003']);
  assert.deepEqual(fp.modalities, ['ct']);
  assert.deepEqual(fp.spacings[0], [0.8, 0.8, 2.5]);
  assert.deepEqual(fp.shapesAfterCrop[0], [6, 5, 4]);
  // Reference: every voxel whose label is nonzero, in all three (identical) cases.
  const image = fixtureImage().data;
  const label = fixtureLabel([1, 6, 11, 13]).data;
  const values: number[] = [];
  for (let i = 0; i < label.length; i++) if (label[i] !== 0) values.push(image[i]!);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const stats = fp.foregroundIntensity[0]!;
  assert.equal(stats.samples, 3 * values.length);
  assert.ok(Math.abs(stats.mean - mean) < 1e-9);
  const plan = planExperiment(fp);
  assert.equal(plan.normalization[0]!.kind, 'ct-zscore');
});

test('BraTS: four MR channels z-scored per image, ET/TC/WT regions; preprocessing keeps all four', async () => {
  const dir = await makeBrats(join(root, 'brats'), ['BraTS2021_00000', 'BraTS2021_00001']);
  const { plan, settings } = await resolvePlan(dir, {}, '2d', { batch: 3 });
  assert.deepEqual(plan.channels, ['t1', 't1ce', 't2', 'flair']);
  assert.equal(plan.inputChannels, 4);
  assert.deepEqual(plan.dataset_fingerprint.modalities, ['mr', 'mr', 'mr', 'mr']);
  assert.equal(plan.output.kind, 'regions');
  assert.deepEqual(plan.output.kind === 'regions' ? plan.output.regions.map((r) => r.labels) : [], [
    [4],
    [1, 4],
    [1, 2, 4],
  ]);
  assert.equal(settings.batch, 3);
  const image = fixtureImage();
  const four = { ...image, dims: [...image.dims, 4], data: new Float32Array(image.data.length * 4) };
  for (let c = 0; c < 4; c++)
    for (let i = 0; i < image.data.length; i++) four.data[c * image.data.length + i] = (c + 1) * (i + 1);
  const prepared = preprocessVolume(four, settings.preprocess);
  assert.equal(prepared.channels, 4);
  assert.equal(prepared.data.length, 4 * prepared.dims[0] * prepared.dims[1] * prepared.dims[2]);
  // Each channel z-scored on its own: channel c is (c + 1) × channel 0 before, identical after.
  const n = prepared.data.length / 4;
  for (let i = 0; i < n; i += 7) assert.ok(Math.abs(prepared.data[3 * n + i]! - prepared.data[i]!) < 1e-4);
});

test('MM-WHS with CT and MR cases: planning needs --modality, and MR never gets the CT window', async () => {
  const dir = await makeMmwhs(join(root, 'mmwhs'), [1001, 1002], [1003]);
  await assert.rejects(extractFingerprint(openDataset(dir)), /--modality ct or --modality mr/);
  const mr = planExperiment(await extractFingerprint(openDataset(dir), { modality: 'mr' }));
  assert.deepEqual(mr.dataset_fingerprint.cases.length, 1);
  assert.deepEqual(mr.normalization, [{ kind: 'zscore' }]);
  const ct = planExperiment(await extractFingerprint(openDataset(dir), { modality: 'ct' }));
  assert.equal(ct.normalization[0]!.kind, 'ct-zscore');
});

test('mosmos plan writes plans.json with the fingerprint inside; refuses to overwrite', async () => {
  const dir = await makeBtcv(join(root, 'btcv-cli'), [1, 2]);
  const out = join(root, 'plans.json');
  const log = mock.method(console, 'log', () => {});
  try {
    assert.equal(await planCommand(['--data', dir, '--out', out]), 0);
    assert.match(String(log.mock.calls[0]?.arguments[0]), /target spacing 0\.8 × 0\.8 × 2\.5 mm/);
  } finally {
    log.mock.restore();
  }
  const plan = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(plan.format, 'mosmos-plan');
  assert.deepEqual(plan.dataset_fingerprint.cases, ['0001', '0002']);
  const again = await resolvePlan(dir, { planPath: out }, '2d', { spacing: [2, 2, 2] });
  assert.deepEqual(again.settings.preprocess.spacing, [2, 2, 2]);
  await assert.rejects(planCommand(['--data', dir, '--out', out]), /exists/);
});
