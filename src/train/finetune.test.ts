import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../errors.js';
import { segmentFile } from '../infer/segment-file.js';
import { readDicomSeg, readDicomSeries, writeDicomSeries } from '../io/dicom/index.js';
import { readNifti, writeNifti } from '../io/nifti/index.js';
import { diceScore } from '../metrics/index.js';
import type { Volume } from '../volume/volume.js';
import { finetune } from './finetune.js';
import { defaultFinetuneConfig, type FinetuneConfig } from './finetune-config.js';
import { readMetrics } from './run-record.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-finetune-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** BTCV-layout cases: a bright "liver" ball (label 6) and a dark "spleen" block (label 1) in soft tissue. */
async function writeDataset(dir: string, cases: number): Promise<void> {
  mkdirSync(join(dir, 'img'), { recursive: true });
  mkdirSync(join(dir, 'label'), { recursive: true });
  const [nx, ny, nz] = [24, 24, 4];
  for (let c = 1; c <= cases; c++) {
    const image = new Int16Array(nx * ny * nz);
    const label = new Uint8Array(nx * ny * nz);
    const cx = 8 + (c % 3);
    const cy = 9 + (c % 2);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const i = (z * ny + y) * nx + x;
          const noise = ((i * 7919 + c * 104729) % 41) - 20;
          let hu = 40 + noise;
          if ((x - cx) ** 2 + (y - cy) ** 2 < 25) {
            hu = 200 + noise;
            label[i] = 6;
          } else if (x >= 16 && x < 21 && y >= 14 + (c % 2) && y < 20) {
            hu = -120 + noise;
            label[i] = 1;
          }
          image[i] = hu;
        }
    const affine = [
      [-4, 0, 0, 40],
      [0, -4, 0, 40],
      [0, 0, 5, 0],
      [0, 0, 0, 1],
    ];
    const name = String(c).padStart(4, '0');
    const base = { dims: [nx, ny, nz], spacing: [4, 4, 5] as [number, number, number], affine };
    await writeNifti(join(dir, 'img', `img${name}.nii.gz`), {
      ...base,
      data: image,
      datatype: 'int16',
    } as Volume);
    await writeNifti(join(dir, 'label', `label${name}.nii.gz`), {
      ...base,
      data: label,
      datatype: 'uint8',
    } as Volume);
  }
}

const config = (out: string, extra: Partial<FinetuneConfig> = {}): FinetuneConfig => ({
  ...defaultFinetuneConfig,
  data: join(root, 'data'),
  out: join(root, out),
  attentionMaps: false,
  widths: [8, 16],
  patch: [16, 16],
  batch: 8,
  epochs: 3,
  stepsPerEpoch: 10,
  valEvery: 1,
  lr: 1e-2,
  preprocess: { spacing: [4, 4, 5], intensity: { kind: 'ct', min: -175, max: 250 } },
  ...extra,
});
const quiet = { log: () => {}, progressStream: { write: () => true } };

test('a tiny fine-tuning run learns: loss falls and validation Dice rises', async () => {
  await writeDataset(join(root, 'data'), 5);
  const result = await finetune(config('run'), quiet);
  assert.equal(result.interrupted, false);
  assert.equal(result.steps, 30);
  const losses = result.epochLosses;
  assert.ok(losses[2]! < losses[0]!, `losses ${losses}`);
  const liver = result.validation.map((v) => v.perOrgan.liver!);
  assert.ok(liver[2]! > 0.5, `liver Dice by epoch ${liver}`);
  assert.ok(liver[2]! > liver[0]! || liver[0]! > 0.9, `liver Dice by epoch ${liver}`);
  const run = join(root, 'run');
  for (const f of [
    'run.json',
    'model.json',
    'splits.json',
    'best.safetensors',
    'last.safetensors',
    'metrics.jsonl',
  ])
    assert.ok(existsSync(join(run, f)), f);
  const splits = JSON.parse(readFileSync(join(run, 'splits.json'), 'utf8'));
  assert.equal(splits.train.length + splits.validation.length, 5);
  assert.equal(readMetrics(run).filter((r) => r.type === 'validation').length, 3);

  // segment: the output lies on the input's grid and matches the ground truth.
  const out = join(root, 'seg.nii.gz');
  const validationCase = splits.validation[0] as string;
  const image = join(root, 'data', 'img', `img${validationCase}.nii.gz`);
  await segmentFile(image, run, out, { stats: join(root, 'stats.json') });
  const seg = await readNifti(out);
  const gt = await readNifti(join(root, 'data', 'label', `label${validationCase}.nii.gz`));
  assert.deepEqual(seg.dims, gt.dims);
  assert.deepEqual(seg.affine, gt.affine);
  assert.ok(diceScore(seg.data, gt.data, 6) > 0.5);
  const labels = JSON.parse(readFileSync(join(root, 'seg.json'), 'utf8')).labels;
  assert.equal(labels['6'], 'liver');
  await assert.rejects(
    segmentFile(image, run, out),
    (e: unknown) => e instanceof InputError && /exists/.test(e.message),
  );
});

test('an interrupted run resumes to the same number of steps', async () => {
  const first = await finetune(config('resumed', { epochs: 2, stepsPerEpoch: 4, maxSteps: 3 }), quiet);
  assert.equal(first.interrupted, true);
  const second = await finetune(config('resumed', { epochs: 2, stepsPerEpoch: 4, resume: true }), quiet);
  assert.equal(second.interrupted, false);
  assert.equal(first.steps + second.steps, 8);
  await assert.rejects(finetune(config('resumed'), quiet), /already holds a run/);
});

test('segment: a DICOM series gives NIfTI on the series grid and a DICOM SEG that reads back the same', async () => {
  const run = join(root, 'run');
  assert.ok(existsSync(join(run, 'model.json')), 'needs the run of the first test');
  const splits = JSON.parse(readFileSync(join(run, 'splits.json'), 'utf8'));
  const validationCase = splits.validation[0] as string;
  const image = await readNifti(join(root, 'data', 'img', `img${validationCase}.nii.gz`));
  const seriesDir = join(root, 'series');
  writeDicomSeries(seriesDir, image, { modality: 'CT', transferSyntax: 'explicit-le' });
  const series = await readDicomSeries(seriesDir);

  const niftiOut = join(root, 'dicom-seg-input.nii.gz');
  await segmentFile(seriesDir, run, niftiOut);
  const seg = await readNifti(niftiOut);
  assert.deepEqual(seg.dims, series.dims.slice(0, 3));
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(seg.affine[r]![c]! - series.affine[r]![c]!) < 1e-4);

  const segOut = join(root, 'from-series.dcm');
  await segmentFile(seriesDir, run, segOut, { outputType: 'dicom-seg' });
  const read = await readDicomSeg(segOut, { grid: series });
  const names = new Map(read.segments.map((s) => [s.number, s.label]));
  const labels = JSON.parse(readFileSync(join(root, 'from-series.json'), 'utf8')).labels as Record<
    string,
    string
  >;
  assert.ok([...names.values()].includes('liver'));
  // Segment numbers differ from label values; compare voxel by voxel through the organ names.
  let differing = 0;
  for (let i = 0; i < seg.data.length; i++) {
    const fromSeg = read.labelMap.data[i]! === 0 ? 'background' : names.get(read.labelMap.data[i]!);
    if (fromSeg !== labels[String(seg.data[i])]) differing++;
  }
  assert.equal(differing, 0);
});
