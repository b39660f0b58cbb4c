import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  fixtureLabel,
  fixtureVolume,
  makeBtcv,
  makeMmwhs,
  tempDir,
  writeFixture,
} from '../../test/fixtures-datasets.js';
import { checkDataset } from './check.js';
import { openDataset } from './dataset.js';

const root = tempDir();
after(() => rmSync(root, { recursive: true, force: true }));

test('a clean BTCV folder: no problems, summary of spacings, sizes and class voxels', async () => {
  const dir = await makeBtcv(join(root, 'clean'), [1, 2, 35]);
  const report = await checkDataset(openDataset(dir));
  assert.deepEqual(report.problems, []);
  assert.equal(report.cases, 3);
  assert.deepEqual(report.summary.splits, { train: 2, validation: 1 });
  assert.deepEqual(report.summary.size, { min: [6, 5, 4], median: [6, 5, 4], max: [6, 5, 4] });
  assert.deepEqual(report.summary.spacing?.median, [0.8, 0.8, 2.5]);
  // fixtureLabel([1, 6, 11, 13]) over 120 voxels: i % 3 === 0 is background, else values[i % 4].
  let liver = 0;
  for (let i = 0; i < 120; i++) if (i % 3 !== 0 && i % 4 === 1) liver++;
  assert.equal(report.summary.labelVoxels['liver'], 3 * liver);
  assert.equal(report.summary.labelCases['liver'], 3);
  assert.equal(report.summary.labelVoxels['aorta'], 0);
});

test('every kind of problem is found and names its file', async () => {
  const dir = await makeBtcv(join(root, 'broken'), [1, 2, 3, 4, 5]);
  const label = (n: string) => join(dir, 'label', `label${n}.nii.gz`);
  const image = (n: string) => join(dir, 'img', `img${n}.nii.gz`);
  // 0001: label on another grid; 0002: an unexpected class; 0003: NaN voxels in the image;
  // 0004: label missing; 0005: unreadable label; plus a label without its image.
  rmSync(label('0002'));
  await writeFixture(label('0002'), fixtureLabel([1, 14, 99]));
  rmSync(image('0003'));
  await writeFixture(
    image('0003'),
    fixtureVolume((i) => (i === 7 || i === 8 ? Number.NaN : i), { datatype: 'float32' }),
  );
  rmSync(label('0004'));
  writeFileSync(label('0005'), 'not a nifti file');
  await writeFixture(label('0009'), fixtureLabel([1]));
  rmSync(label('0001'));
  await writeFixture(label('0001'), fixtureLabel([1], { spacing: [1, 1, 1] }));

  const report = await checkDataset(openDataset(dir));
  const lines = report.problems.map((p) => `${p.file}: ${p.problem}`);
  const expect = (file: string, pattern: RegExp) =>
    assert.ok(
      report.problems.some((p) => p.file === file && pattern.test(p.problem)),
      `${file} ${pattern}\n${lines.join('\n')}`,
    );
  expect(label('0001'), /grid differs from .*img0001\.nii\.gz: affine differs/);
  expect(label('0002'), /unexpected label values 14, 99 \(expected 0, 1, 2/);
  expect(image('0003'), /^2 non-finite/);
  expect(image('0004'), /no label file label0004/);
  expect(label('0005'), /^unreadable: /);
  expect(label('0009'), /no image file img0009/);
  assert.equal(report.problems.length, 6, lines.join('\n'));
});

test('dims mismatch and MM-WHS raw values are checked against the remap table', async () => {
  const dir = await makeMmwhs(join(root, 'mmwhs'), [1001, 1002], []);
  const label = join(dir, 'ct_train', 'ct_train_1002_label.nii.gz');
  rmSync(label);
  await writeFixture(
    label,
    fixtureVolume((i) => (i % 2 ? 500 : 3), { dims: [6, 5, 3] }),
  );
  const report = await checkDataset(openDataset(dir));
  assert.equal(report.problems.length, 2, JSON.stringify(report.problems));
  assert.match(report.problems[0]!.problem, /dims \[6,5,3\] vs \[6,5,4\]/);
  assert.match(report.problems[1]!.problem, /unexpected label values 3 \(expected 0, 205, 420/);
  // Voxels are counted under the remapped names.
  assert.ok(report.summary.labelVoxels['left ventricle blood cavity']! > 0);
  assert.equal(report.summary.labelCases['left ventricle blood cavity'], 2);
});
