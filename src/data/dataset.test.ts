import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  fixtureLabel,
  makeAmos,
  makeBrats,
  makeBtcv,
  makeMmwhs,
  makeMsd,
  makeNnunetV2,
  tempDir,
  writeFixture,
} from '../../test/fixtures-datasets.js';
import { InputError } from '../errors.js';
import { bratsRegions } from './brats.js';
import { filterByModality, openDataset, readCaseLabel } from './dataset.js';
import { detectDatasetFormat } from './detect-format.js';

const root = tempDir();
after(() => rmSync(root, { recursive: true, force: true }));

test('BTCV: flat and RawData/Training layouts, 13 organs, cases 0035–0040 are validation', async () => {
  const flat = await makeBtcv(join(root, 'btcv'), [1, 2, 35, 40]);
  const nested = await makeBtcv(join(root, 'btcv-raw'), [3, 36], { nested: true });
  assert.equal(detectDatasetFormat(flat), 'btcv');
  assert.equal(detectDatasetFormat(nested), 'btcv');
  const ds = openDataset(flat);
  assert.equal(ds.format, 'btcv');
  assert.deepEqual(
    ds.cases.map((c) => [c.id, c.split]),
    [
      ['0001', 'train'],
      ['0002', 'train'],
      ['0035', 'validation'],
      ['0040', 'validation'],
    ],
  );
  assert.equal(ds.labels[9], 'inferior vena cava');
  assert.equal(Object.keys(ds.labels).length, 14);
  assert.ok(ds.cases[0]!.images[0]!.endsWith(join('img', 'img0001.nii.gz')));
  assert.ok(ds.cases[0]!.label!.endsWith(join('label', 'label0001.nii.gz')));
  assert.deepEqual(ds.problems, []);
  const raw = openDataset(nested);
  assert.ok(raw.root.endsWith(join('RawData', 'Training')));
  assert.equal(raw.cases.length, 2);
  // The download's unlabelled test images beside Training/.
  await writeFixture(join(nested, 'RawData', 'Testing', 'img', 'img0061.nii.gz'), fixtureLabel([0]));
  assert.deepEqual(
    openDataset(nested).cases.map((c) => [c.id, c.split, c.label === undefined]),
    [
      ['0003', 'train', false],
      ['0036', 'validation', false],
      ['test0061', 'test', true],
    ],
  );
  // The MONAI/UNETR tutorials' copy: imagesTr/img0001.nii.gz + labelsTr/label0001.nii.gz + dataset_0.json.
  const tutorial = join(root, 'btcv-tutorial');
  await writeFixture(join(tutorial, 'imagesTr', 'img0001.nii.gz'), fixtureLabel([0]));
  await writeFixture(join(tutorial, 'labelsTr', 'label0001.nii.gz'), fixtureLabel([6]));
  writeFileSync(join(tutorial, 'dataset_0.json'), '{}');
  assert.equal(detectDatasetFormat(tutorial), 'btcv');
  assert.deepEqual(openDataset(tutorial).cases[0]?.label, join(tutorial, 'labelsTr', 'label0001.nii.gz'));
});

test('AMOS: splits from folders, CT ≤ 500 and MR > 500, --modality filter, dataset.json entries checked', async () => {
  const dir = await makeAmos(join(root, 'amos'), [1, 507], [5], [600]);
  assert.equal(detectDatasetFormat(dir), 'amos');
  const ds = openDataset(dir);
  assert.deepEqual(
    ds.cases.map((c) => [c.id, c.split, c.modality, c.label !== undefined]),
    [
      ['amos_0001', 'train', 'ct', true],
      ['amos_0005', 'validation', 'ct', true],
      ['amos_0507', 'train', 'mr', true],
      ['amos_0600', 'test', 'mr', false],
    ],
  );
  assert.equal(ds.labels[15], 'prostate/uterus');
  assert.deepEqual(ds.problems, []);
  assert.deepEqual(
    filterByModality(ds, 'mr').cases.map((c) => c.id),
    ['amos_0507', 'amos_0600'],
  );
  assert.throws(() => filterByModality(ds, 'pet'), InputError);
  rmSync(join(dir, 'labelsTr', 'amos_0507.nii.gz'));
  const broken = openDataset(dir);
  const problems = broken.problems.map((p) => `${p.file}: ${p.problem}`);
  assert.ok(
    problems.some((p) => p.includes('imagesTr/amos_0507.nii.gz: no label file')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('labelsTr/amos_0507.nii.gz: listed in dataset.json')),
    problems.join('\n'),
  );
});

test('MM-WHS: ct_train/mr_train folders, raw values 205…850 remapped to 1…7', async () => {
  const dir = await makeMmwhs(join(root, 'mmwhs'), [1001, 1002], [1001]);
  assert.equal(detectDatasetFormat(dir), 'mmwhs');
  const ds = openDataset(dir);
  assert.deepEqual(
    ds.cases.map((c) => [c.id, c.modality]),
    [
      ['ct_train_1001', 'ct'],
      ['ct_train_1002', 'ct'],
      ['mr_train_1001', 'mr'],
    ],
  );
  const label = await readCaseLabel(ds, ds.cases[0]!);
  const raw = fixtureLabel([205, 420, 500, 550, 600, 820, 850]);
  const expected = new Map([
    [0, 0],
    [205, 1],
    [420, 2],
    [500, 3],
    [550, 4],
    [600, 5],
    [820, 6],
    [850, 7],
  ]);
  assert.equal(label.datatype, 'uint8');
  for (let i = 0; i < raw.data.length; i++) assert.equal(label.data[i], expected.get(raw.data[i]!));
  assert.equal(ds.labels[3], 'left ventricle blood cavity');
  // A value outside the MM-WHS table is an error naming the file, not a silently dropped class.
  const badPath = join(root, 'mmwhs-bad', 'ct_train_1003_label.nii.gz');
  await writeFixture(badPath, fixtureLabel([205, 421]));
  await writeFixture(join(root, 'mmwhs-bad', 'ct_train_1003_image.nii.gz'), fixtureLabel([0]));
  const bad = openDataset(join(root, 'mmwhs-bad'), 'mmwhs');
  await assert.rejects(
    readCaseLabel(bad, bad.cases[0]!),
    /ct_train_1003_label\.nii\.gz: unexpected label values 421/,
  );
});

test('BraTS: case folders with four sequences, ET/TC/WT regions overlap as defined', async () => {
  const dir = await makeBrats(join(root, 'brats'), ['BraTS2021_00000', 'BraTS2021_00002']);
  assert.equal(detectDatasetFormat(dir), 'brats');
  const ds = openDataset(dir);
  assert.deepEqual(ds.modalities, ['t1', 't1ce', 't2', 'flair']);
  assert.equal(ds.cases.length, 2);
  assert.ok(ds.cases[0]!.images[1]!.endsWith('BraTS2021_00000_t1ce.nii.gz'));
  assert.ok(ds.cases[0]!.label!.endsWith('BraTS2021_00000_seg.nii.gz'));
  const label = await readCaseLabel(ds, ds.cases[0]!);
  const regions = bratsRegions(label);
  for (let i = 0; i < label.data.length; i++) {
    const v = label.data[i]!;
    assert.equal(regions.ET.data[i], v === 4 ? 1 : 0);
    assert.equal(regions.TC.data[i], v === 1 || v === 4 ? 1 : 0);
    assert.equal(regions.WT.data[i], v > 0 ? 1 : 0);
  }
  // The older BraTS 2020 naming, inside the download's TrainingData folder.
  const old = join(root, 'brats20');
  await makeBrats(join(old, 'MICCAI_BraTS2020_TrainingData'), ['BraTS20_Training_001']);
  rmSync(
    join(old, 'MICCAI_BraTS2020_TrainingData', 'BraTS20_Training_001', 'BraTS20_Training_001_t2.nii.gz'),
  );
  const ds20 = openDataset(old);
  assert.equal(ds20.format, 'brats');
  assert.match(ds20.problems[0]!.problem, /missing BraTS20_Training_001_t2/);
});

test('MSD and nnU-Net v2 dataset.json flavours', async () => {
  const msd = await makeMsd(join(root, 'Task09_Spleen'), [2, 3]);
  assert.equal(detectDatasetFormat(msd), 'msd');
  const ds = openDataset(msd);
  assert.deepEqual(ds.labels, { 0: 'background', 1: 'spleen' });
  assert.deepEqual(ds.modalities, ['CT']);
  assert.deepEqual(
    ds.cases.map((c) => [c.id, c.split]),
    [
      ['spleen_2', 'train'],
      ['spleen_3', 'train'],
      ['spleen_99', 'test'],
    ],
  );
  assert.deepEqual(ds.problems, []);
  const v2 = await makeNnunetV2(join(root, 'Dataset005_Prostate'), ['prostate_00', 'prostate_01']);
  const ds2 = openDataset(v2);
  assert.deepEqual(ds2.labels, { 0: 'background', 1: 'PZ', 2: 'TZ' });
  assert.deepEqual(ds2.modalities, ['T2', 'ADC']);
  assert.equal(ds2.cases[0]!.images.length, 2);
  assert.ok(ds2.cases[0]!.images[1]!.endsWith('prostate_00_0001.nii.gz'));
  rmSync(join(v2, 'labelsTr', 'prostate_01.nii.gz'));
  const missing = openDataset(v2).problems.map((p) => p.problem);
  assert.deepEqual(missing, ['no label file labelsTr/prostate_01.nii.gz']);
  rmSync(join(v2, 'imagesTr', 'prostate_01_0001.nii.gz'));
  assert.deepEqual(
    openDataset(v2).problems.map((p) => p.problem),
    [
      'expected 2 channel file(s) prostate_01_0000.nii.gz …',
      'numTraining is 2 but 1 training cases were found',
    ],
  );
  writeFileSync(join(v2, 'dataset.json'), '{ not json');
  assert.throws(() => openDataset(v2), /dataset\.json: not valid JSON/);
});

test('an unrecognised folder is an error naming it', () => {
  const empty = tempDir();
  try {
    assert.throws(
      () => detectDatasetFormat(empty),
      (e: Error) => e instanceof InputError && e.message.includes(empty),
    );
    assert.throws(() => openDataset(join(empty, 'missing')), InputError);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
