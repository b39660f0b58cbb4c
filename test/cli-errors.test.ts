// Every error a user can cause is one line naming their path and the problem: non-regular files as
// input, operating-system errors (ENOENT on a temporary file, ENOSPC, EISDIR), degenerate affines,
// ensemble members that cannot be averaged.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { main } from '../src/cli/main.js';
import { systemErrorLine, userPath } from '../src/errors.js';
import { writeNifti } from '../src/io/nifti/index.js';
import { readVolume } from '../src/io/read-volume.js';
import { resampleToSpacing } from '../src/volume/resample.js';
import type { Volume } from '../src/volume/volume.js';
import { writeTinyModel } from './tiny-model.js';

const dir = mkdtempSync(join(tmpdir(), 'mosmos-cli-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function capture(t: TestContext, argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  t.mock.method(console, 'log', () => {});
  t.mock.method(console, 'error', (...args: unknown[]) => err.push(args.join(' ')));
  const code = await main(argv);
  t.mock.restoreAll();
  return { code, err: err.join('\n') };
}

const volume = (affine: number[][]): Volume => ({
  data: new Int16Array(4 * 4 * 2),
  dims: [4, 4, 2],
  spacing: [1, 1, 1],
  affine,
  datatype: 'int16',
});
const identity = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

test('/dev/zero, a FIFO and a folder as input files are refused with one line', async (t) => {
  const fifo = join(dir, 'pipe.nii');
  execFileSync('mkfifo', [fifo]);
  const folder = join(dir, 'folder.txt');
  mkdirSync(folder);
  for (const [argv, expected] of [
    [['info', '/dev/zero'], /^mosmos info: \/dev\/zero: is not a regular file \(a device, FIFO or socket\)/],
    [['info', fifo], /pipe\.nii: is not a regular file/],
    [['convert', '/dev/zero', join(dir, 'out.nii.gz')], /\/dev\/zero: is not a regular file/],
    [['tags', '/dev/zero'], /\/dev\/zero: is not a regular file/],
    [['tags', fifo], /pipe\.nii: is not a regular file/],
    [['tags', folder], /folder\.txt: is a folder; expected a \.txt report/],
  ] as const) {
    const { code, err } = await capture(t, [...argv]);
    assert.equal(code, 1, argv.join(' '));
    assert.match(err, expected);
    assert.equal(err.split('\n').length, 1, err);
  }
});

test('file-system errors name the user path, never a temporary file or a bare code', async (t) => {
  const input = join(dir, 'ct.nii.gz');
  await writeNifti(input, volume(identity));
  const out = join(dir, 'missing-folder', 'out.nii.gz');
  const { code, err } = await capture(t, ['convert', input, out]);
  assert.equal(code, 1);
  assert.equal(err, `mosmos convert: ${out}: no such file or folder`);

  const temp = join(dir, '.seg.nii.gz.1234.1700000000000.tmp');
  assert.equal(userPath(temp), join(dir, 'seg.nii.gz'));
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    path: temp,
  });
  assert.equal(systemErrorLine(enospc), `${join(dir, 'seg.nii.gz')}: no space left on the device`);
  const rename = Object.assign(new Error('EISDIR'), {
    code: 'EISDIR',
    path: temp,
    dest: join(dir, 'seg.json'),
  });
  assert.equal(systemErrorLine(rename), `${join(dir, 'seg.json')}: is a folder; expected a file`);
  assert.equal(systemErrorLine(new Error('a bug')), undefined);
});

test('a degenerate affine is an error naming the file, not "singular 3×3 matrix"', async (t) => {
  const flat = join(dir, 'flat.nii.gz');
  const degenerate = identity.map((r) => [...r]);
  degenerate[2]![2] = 0; // zero slice thickness
  const v = volume(degenerate);
  v.source = { format: 'nifti', path: flat };
  assert.throws(() => resampleToSpacing(v, [2, 2, 2], 'linear'), /flat\.nii\.gz: its affine is degenerate/);
  // Through the CLI: the file's name and the problem, one line. The file's sform has a zero third
  // row (srow_z at byte 312), its qform is off (qform_code at byte 252).
  const flatNii = join(dir, 'flat.nii');
  await writeNifti(flatNii, volume(identity));
  const bytes = readFileSync(flatNii);
  bytes.writeInt16LE(0, 252);
  bytes.writeInt16LE(1, 254);
  for (let i = 0; i < 4; i++) bytes.writeFloatLE(0, 312 + 4 * i);
  writeFileSync(flatNii, bytes);
  const model = join(dir, 'model');
  await writeTinyModel(model);
  const { code, err } = await capture(t, [
    'segment',
    flatNii,
    '--model',
    model,
    '--out',
    join(dir, 's.nii.gz'),
  ]);
  assert.equal(code, 1);
  assert.match(err, /^mosmos segment: .*flat\.nii: its affine is degenerate/);
  assert.equal(err.split('\n').length, 1, err);
});

test('segment --model a,b averages an ensemble; a member with other organs is one line naming it', async (t) => {
  const input = join(dir, 'ensemble-ct.nii.gz');
  await writeNifti(input, {
    ...volume(identity),
    dims: [24, 20, 3],
    data: new Int16Array(24 * 20 * 3).fill(40),
  });
  const [a, b, other] = ['ens-a', 'ens-b', 'ens-other'].map((name) => join(dir, name));
  await writeTinyModel(a!, { runId: 'run-a' });
  await writeTinyModel(b!, { runId: 'run-b' });
  await writeTinyModel(other!, { runId: 'run-other' });
  const described = JSON.parse(readFileSync(join(other!, 'model.json'), 'utf8'));
  described.labels = { '0': 'background', '1': 'spleen', '2': 'stomach' };
  writeFileSync(join(other!, 'model.json'), JSON.stringify(described));
  const out = join(dir, 'ensemble-seg.nii.gz');
  const ok = await capture(t, ['segment', input, '--model', `${a},${b}`, '--out', out]);
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual((await readVolume(out)).dims, [24, 20, 3]);
  const refused = await capture(t, [
    'segment',
    input,
    '--model',
    `${a},${other}`,
    '--out',
    join(dir, 'e2.nii.gz'),
  ]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.err,
    /^mosmos segment: .*ens-other: its labels \(model\.json\) does not match .*ens-a's/,
  );
  assert.equal(refused.err.split('\n').length, 1, refused.err);
  assert.ok(!existsSync(join(dir, 'e2.nii.gz')), 'nothing written');
});
