import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { fixtureVolume, makeBtcv, makeMsd, tempDir, writeFixture } from '../../test/fixtures-datasets.js';
import { InputError } from '../errors.js';
import { caseKey } from '../metrics/case-matching.js';
import { run } from './evaluate.js';

const root = tempDir('mosmos-evaluate-');
after(() => rmSync(root, { recursive: true, force: true }));

const dims = [10, 10, 10];
/** Label `value` on the box [x0, x0+4) × [2, 6) × [2, 6) of a 10³ grid with 2 × 1 × 1 mm voxels. */
function cubeMap(x0: number, value: number, spacing: [number, number, number] = [2, 1, 1]) {
  return fixtureVolume(
    (i) => {
      const [x, y, z] = [i % 10, Math.floor(i / 10) % 10, Math.floor(i / 100)];
      return x >= x0 && x < x0 + 4 && y >= 2 && y < 6 && z >= 2 && z < 6 ? value : 0;
    },
    { dims, spacing, datatype: value > 255 ? 'int16' : 'uint8' },
  );
}

/** Runs the command and returns its exit code and what it printed. */
async function evaluate(argv: string[]): Promise<{ code: number; out: string }> {
  const log = mock.method(console, 'log', () => {});
  const err = mock.method(console, 'error', () => {});
  try {
    const code = await run(argv);
    return { code, out: log.mock.calls.map((c) => c.arguments.join(' ')).join('\n') };
  } finally {
    log.mock.restore();
    err.mock.restore();
  }
}

test('case keys pair BTCV, MM-WHS, BraTS and nnU-Net names', () => {
  assert.equal(caseKey('img0035.nii.gz'), '0035');
  assert.equal(caseKey('label0035.nii.gz'), '0035');
  assert.equal(caseKey('ct_train_1001_label.nii.gz'), 'ct_train_1001');
  assert.equal(caseKey('ct_train_1001_image.nii'), 'ct_train_1001');
  assert.equal(caseKey('BraTS2021_00000_seg.nii.gz'), 'brats2021_00000');
  assert.equal(caseKey('amos_0001_0000.nii.gz'), 'amos_0001');
  assert.equal(caseKey('pred_liver_3.nii.gz'), 'liver_3');
});

test('folders paired by case id; JSON has hand-checked Dice, HD95 and NSD per organ', async () => {
  const pred = join(root, 'pred');
  const gt = join(root, 'label');
  // Liver (6) shifted by one 2 mm voxel along x: Dice 0.75, HD95 2 mm, NSD(1 mm) 80/112 (see
  // metrics.test.ts). Spleen (1) missing from the prediction of case 0036: Dice 0, HD95 ∞.
  await writeFixture(join(pred, 'img0035.nii.gz'), cubeMap(2, 6));
  await writeFixture(join(gt, 'label0035.nii.gz'), cubeMap(3, 6));
  await writeFixture(join(pred, 'img0036.nii.gz'), cubeMap(3, 6));
  const gt36 = cubeMap(3, 6);
  gt36.data[0] = 1;
  await writeFixture(join(gt, 'label0036.nii.gz'), gt36);
  const csv = join(root, 'out.csv');
  const { code, out } = await evaluate([
    '--pred',
    pred,
    '--gt',
    gt,
    '--format',
    'btcv',
    '--json',
    '--csv',
    csv,
  ]);
  assert.equal(code, 0);
  const doc = JSON.parse(out);
  assert.deepEqual(
    doc.cases.map((c: { case: string }) => c.case),
    ['0035', '0036'],
  );
  const liver = doc.cases[0].organs.liver;
  assert.equal(liver.dice, 0.75);
  assert.equal(liver.hd95, 2);
  assert.equal(liver.nsd, Number((80 / 112).toFixed(6)));
  assert.equal(doc.cases[1].organs.liver.dice, 1);
  assert.equal(doc.cases[1].organs.spleen.dice, 0);
  assert.equal(doc.cases[1].organs.spleen.hd95, null);
  assert.equal(doc.cases[1].organs.spleen.hd95Infinite, true);
  // Organs absent from the truth: no Dice, HD95 or NSD (MONAI ignore_empty), false positive 0 mL.
  assert.equal(doc.cases[0].organs.aorta.dice, null);
  assert.equal(doc.cases[0].organs.aorta.hd95, null);
  assert.equal(doc.cases[0].organs.aorta.falsePositiveMl, 0);
  assert.equal(doc.mean.aorta.dice, null);
  assert.deepEqual(doc.falsePositive.aorta, { absentCases: 2, predictedCases: 0, meanMl: 0, maxMl: 0 });
  assert.equal(doc.mean.liver.dice, 0.875);
  assert.equal(doc.sd.liver.dice, 0.125);
  assert.equal(doc.mean.liver.hd95, 1);
  assert.equal(doc.hd95Infinite.spleen, 1);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'case,organ,label,dice,hd95,nsd,pred_voxels,gt_voxels,false_positive_ml');
  assert.equal(rows.length, 1 + 2 * 13);
  assert.ok(rows.includes('0036,spleen,1,0,inf,0,0,1,'), rows.join('\n'));
  assert.ok(rows.includes('0035,spleen,1,,,,0,0,0'), rows.join('\n'));
  // An existing CSV is refused before any work, and kept.
  await assert.rejects(run(['--pred', pred, '--gt', gt, '--csv', csv]), /out\.csv: output exists/);
  assert.ok(existsSync(csv));

  const table = await evaluate(['--pred', pred, '--gt', gt, '--labels', '6']);
  assert.match(table.out, /2 case\(s\)/);
  assert.match(table.out, /^6\s+0\.8750 ± 0\.1250\s+1\.00 ± 1\.00/m);
});

test('a spurious organ counts as a false positive in mL, not in the Dice mean', async () => {
  const dir = join(root, 'false-positive');
  // Truth: liver only. Prediction: the same liver plus a spleen (4³ voxels of 2 mm³ = 0.128 mL).
  const predMap = cubeMap(3, 6);
  for (let z = 6; z < 10; z++)
    for (let y = 6; y < 10; y++) for (let x = 6; x < 10; x++) predMap.data[x + 10 * (y + 10 * z)] = 1;
  await writeFixture(join(dir, 'pred.nii.gz'), predMap);
  await writeFixture(join(dir, 'gt.nii.gz'), cubeMap(3, 6));
  const argv = ['--pred', join(dir, 'pred.nii.gz'), '--gt', join(dir, 'gt.nii.gz')];
  const doc = JSON.parse((await evaluate([...argv, '--json'])).out);
  assert.deepEqual(Object.keys(doc.cases[0].organs), ['1', '6']);
  assert.equal(doc.cases[0].organs['1'].dice, null);
  assert.equal(doc.cases[0].organs['1'].falsePositiveMl, 0.128);
  assert.equal(doc.mean['6'].dice, 1);
  assert.deepEqual(doc.falsePositive['1'], {
    absentCases: 1,
    predictedCases: 1,
    meanMl: 0.128,
    maxMl: 0.128,
  });
  const table = (await evaluate(argv)).out;
  // The mean over organs is the liver's 1.0, not (1 + 0) / 2.
  assert.match(table, /^mean of organs\s+1\.0000/m);
  assert.match(table, /^1\s+n\/a.*1\/1, 0\.13 mL$/m);
});

test('an image given as --pred or --gt is refused, naming the file and what it holds', async () => {
  const dir = join(root, 'not-labels');
  const ct = fixtureVolume((i) => -1000 + (i % 1709) * 1.5, {
    dims,
    spacing: [1, 1, 1],
    datatype: 'float32',
  });
  await writeFixture(join(dir, 'ct.nii.gz'), ct);
  await writeFixture(join(dir, 'gt.nii.gz'), cubeMap(3, 1, [1, 1, 1]));
  await assert.rejects(
    run(['--pred', join(dir, 'ct.nii.gz'), '--gt', join(dir, 'gt.nii.gz')]),
    (e: Error) =>
      e instanceof InputError &&
      e.message.startsWith(join(dir, 'ct.nii.gz')) &&
      /not a label map: 1,000 distinct values, non-integer, negative/.test(e.message),
  );
  await assert.rejects(
    run(['--pred', join(dir, 'gt.nii.gz'), '--gt', join(dir, 'ct.nii.gz')]),
    (e: Error) => e.message.startsWith(join(dir, 'ct.nii.gz')) && /not a label map/.test(e.message),
  );
});

test('single files; grid mismatch and missing predictions are one-line errors naming the file', async () => {
  const dir = join(root, 'single');
  mkdirSync(dir, { recursive: true });
  await writeFixture(join(dir, 'a.nii.gz'), cubeMap(2, 1));
  await writeFixture(join(dir, 'b.nii.gz'), cubeMap(3, 1));
  await writeFixture(join(dir, 'c.nii.gz'), cubeMap(3, 1, [1, 1, 1]));
  const ok = await evaluate(['--pred', join(dir, 'a.nii.gz'), '--gt', join(dir, 'b.nii.gz'), '--json']);
  assert.equal(JSON.parse(ok.out).cases[0].organs['1'].dice, 0.75);
  await assert.rejects(
    run(['--pred', join(dir, 'a.nii.gz'), '--gt', join(dir, 'c.nii.gz')]),
    (e: Error) =>
      e instanceof InputError &&
      e.message.startsWith(join(dir, 'a.nii.gz')) &&
      /grid differs/.test(e.message),
  );
  const gtDir = join(root, 'gt-only');
  await writeFixture(join(gtDir, 'label0001.nii.gz'), cubeMap(3, 1));
  await assert.rejects(
    run(['--pred', join(root, 'pred'), '--gt', gtDir]),
    /label0001\.nii\.gz: no prediction for case "0001"/,
  );
  await assert.rejects(
    run(['--pred', join(dir, 'a.nii.gz'), '--gt', gtDir]),
    /both be files or both be folders/,
  );
  await assert.rejects(run(['--pred', join(dir, 'a.nii.gz')]), /usage/);
  await assert.rejects(run(['--pred', 'x', '--gt', 'y', '--labels', '1,a']), /--labels/);
});

test('--format mmwhs remaps raw values; --format brats scores the ET/TC/WT regions', async () => {
  const dir = join(root, 'formats');
  await writeFixture(join(dir, 'gt', 'ct_train_1001_label.nii.gz'), cubeMap(3, 500));
  await writeFixture(join(dir, 'pred', 'ct_train_1001_pred.nii.gz'), cubeMap(3, 3));
  const mmwhs = JSON.parse(
    (await evaluate(['--pred', join(dir, 'pred'), '--gt', join(dir, 'gt'), '--format', 'mmwhs', '--json']))
      .out,
  );
  assert.equal(mmwhs.cases[0].organs['left ventricle blood cavity'].dice, 1);
  // BraTS: gt is enhancing tumour (4), prediction calls the same voxels necrotic core (1):
  // ET Dice 0, TC and WT Dice 1.
  await writeFixture(join(dir, 'bgt', 'BraTS2021_00000_seg.nii.gz'), cubeMap(3, 4));
  await writeFixture(join(dir, 'bpred', 'BraTS2021_00000.nii.gz'), cubeMap(3, 1));
  const brats = JSON.parse(
    (await evaluate(['--pred', join(dir, 'bpred'), '--gt', join(dir, 'bgt'), '--format', 'brats', '--json']))
      .out,
  );
  const organs = brats.cases[0].organs;
  assert.deepEqual(
    [organs['enhancing tumour'].dice, organs['tumour core'].dice, organs['whole tumour'].dice],
    [0, 1, 1],
  );
});

test('--gt may be a dataset folder: cases found by id, organ names from the dataset', async () => {
  const btcv = await makeBtcv(join(root, 'BTCV'), [1, 35, 36]);
  const preds = join(root, 'btcv-preds');
  // Predict case 0035 exactly by copying its label map; no prediction for 0001 or 0036 (skipped).
  const { readNifti } = await import('../io/nifti/index.js');
  await writeFixture(join(preds, 'img0035.nii.gz'), await readNifti(join(btcv, 'label', 'label0035.nii.gz')));
  await writeFixture(join(preds, 'notes.nii.gz'), cubeMap(3, 1, [0.8, 0.8, 2.5]));
  const doc = JSON.parse((await evaluate(['--pred', preds, '--gt', btcv, '--json'])).out);
  assert.deepEqual(
    doc.cases.map((c: { case: string }) => c.case),
    ['0035'],
  );
  assert.equal(Object.keys(doc.cases[0].organs).length, 13);
  assert.equal(doc.cases[0].organs.liver.dice, 1);
  assert.equal(doc.cases[0].organs.liver.hd95, 0);
  assert.equal(doc.cases[0].organs.liver.nsd, 1);

  const msd = await makeMsd(join(root, 'Task09_Spleen'), [2]);
  const msdPreds = join(root, 'msd-preds');
  await writeFixture(
    join(msdPreds, 'spleen_2.nii.gz'),
    await readNifti(join(msd, 'labelsTr', 'spleen_2.nii.gz')),
  );
  const msdDoc = JSON.parse((await evaluate(['--pred', msdPreds, '--gt', msd, '--json'])).out);
  assert.deepEqual(Object.keys(msdDoc.cases[0].organs), ['spleen']);
  await assert.rejects(
    run(['--pred', msdPreds, '--gt', join(msdPreds, '..', 'single'), '--format', 'msd']),
    /--format msd/,
  );
});
