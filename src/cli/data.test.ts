import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { fixtureLabel, makeBtcv, tempDir, writeFixture } from '../../test/fixtures-datasets.js';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { InputError } from '../errors.js';
import { run } from './data.js';

const root = tempDir('mosmos-data-cli-');
after(() => rmSync(root, { recursive: true, force: true }));

async function dataCommand(argv: string[]): Promise<{ code: number; out: string }> {
  const log = mock.method(console, 'log', () => {});
  try {
    const code = await run(argv);
    return { code, out: log.mock.calls.map((c) => c.arguments.join(' ')).join('\n') };
  } finally {
    log.mock.restore();
  }
}

test('data check: exit 0 and a summary for a clean folder, exit 1 and one line per problem otherwise', async () => {
  const dir = await makeBtcv(join(root, 'btcv'), [1, 2]);
  const clean = await dataCommand(['check', dir]);
  assert.equal(clean.code, 0);
  assert.match(clean.out, /^btcv dataset at /);
  assert.match(clean.out, /cases: +2 \(2 train\); 2 labelled/);
  assert.match(clean.out, /spacing: +min 0\.8×0\.8×2\.5/);
  assert.match(clean.out, /no problems found/);

  await writeFixture(join(dir, 'label', 'label0003.nii.gz'), fixtureLabel([1, 20]));
  rmSync(join(dir, 'label', 'label0002.nii.gz'));
  await writeFixture(join(dir, 'label', 'label0002.nii.gz'), fixtureLabel([1, 20]));
  const broken = await dataCommand(['check', dir, '--format', 'btcv', '--json']);
  assert.equal(broken.code, 1);
  const doc = JSON.parse(broken.out);
  assert.equal(doc.format, 'btcv');
  assert.equal(doc.cases, 2);
  assert.deepEqual(
    doc.problems.map((p: { file: string; problem: string }) => [
      p.file.split('/').pop(),
      p.problem.split(' (')[0],
    ]),
    [
      ['label0003.nii.gz', 'no image file img0003.nii.gz'],
      ['label0002.nii.gz', 'unexpected label values 20'],
    ],
  );
  assert.equal(doc.summary.labelVoxels.spleen > 0, true);
});

test('data check: bad arguments are one-line errors', async () => {
  await assert.rejects(run(['check']), InputError);
  await assert.rejects(run(['verify', root]), /unknown subcommand "verify"/);
  await assert.rejects(
    run(['check', root, '--format', 'kits']),
    /--format: expected one of btcv, amos, mmwhs, brats, msd, got "kits"/,
  );
  await assert.rejects(run(['check', join(root, 'nope')]), /nope: not a folder/);
});

test('data check reads a real CT and its 61-class label map as an MSD folder', {
  skip: sharedDataSkip(),
}, async () => {
  const dir = join(root, 'Task00_Abdomen');
  mkdirSync(join(dir, 'imagesTr'), { recursive: true });
  mkdirSync(join(dir, 'labelsTr'), { recursive: true });
  symlinkSync(sharedData('ct-abdomen', 'ct.nii.gz'), join(dir, 'imagesTr', 'abdomen_1.nii.gz'));
  symlinkSync(sharedData('ct-abdomen', 'seg_total_61.nii.gz'), join(dir, 'labelsTr', 'abdomen_1.nii.gz'));
  const names = JSON.parse(readFileSync(sharedData('ct-abdomen', 'label_maps.json'), 'utf8')).total as Record<
    string,
    string
  >;
  const json = {
    modality: { 0: 'CT' },
    labels: { 0: 'background', ...names },
    training: [{ image: './imagesTr/abdomen_1.nii.gz', label: './labelsTr/abdomen_1.nii.gz' }],
    test: [],
  };
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify(json));
  const { code, out } = await dataCommand(['check', dir, '--json']);
  const doc = JSON.parse(out);
  assert.deepEqual(doc.problems, []);
  assert.equal(code, 0);
  assert.deepEqual(doc.summary.size.median, [122, 101, 112]);
  assert.deepEqual(doc.summary.spacing.median, [3, 3, 3]);
  assert.ok(doc.summary.labelVoxels.liver > 1000, `liver voxels ${doc.summary.labelVoxels.liver}`);
});
