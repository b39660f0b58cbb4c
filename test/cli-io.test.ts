// `mosmos info` and `mosmos convert`, through the commands' run() functions (no build needed).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { run as convert } from '../src/cli/convert.js';
import { run as info } from '../src/cli/info.js';
import { main } from '../src/cli/main.js';
import { InputError } from '../src/errors.js';
import { readNifti } from '../src/io/nifti/index.js';
import { reorient } from '../src/volume/orientation.js';
import { sharedData, sharedDataSkip } from './shared-data.js';

const skip = sharedDataSkip();
const dir = mkdtempSync(join(tmpdir(), 'mosmos-cli-io-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command and returns what it printed with console.log / console.error. */
async function capture(
  t: TestContext,
  command: () => Promise<number>,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  t.mock.method(console, 'log', (...args: unknown[]) => out.push(args.join(' ')));
  t.mock.method(console, 'error', (...args: unknown[]) => err.push(args.join(' ')));
  const code = await command();
  t.mock.restoreAll();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mosmos info', { skip }, () => {
  test('--json of an LPS label map: geometry, type and label counts', async (t) => {
    const path = sharedData('mr-abdomen', 'seg_small_total_mr_23.nii.gz');
    const { code, out } = await capture(t, () => info([path, '--json']));
    assert.equal(code, 0);
    const json = JSON.parse(out);
    assert.deepEqual(json.dims, [117, 91, 20]);
    assert.deepEqual(json.spacing, [3, 3, 3]);
    assert.equal(json.orientation, 'LPS');
    assert.equal(json.datatype, 'uint8');
    assert.equal(json.affine.length, 4);
    assert.equal(json.affine[0][0], -3);
    const total = json.labels.reduce((n: number, l: { voxels: number }) => n + l.voxels, 0);
    assert.equal(total, 117 * 91 * 20);
    assert.equal(json.labels[0].value, 0);
  });

  test('text output of a CT image has no label list', async (t) => {
    const { out } = await capture(t, () => info([sharedData('ct-abdomen', 'ct_small.nii.gz')]));
    assert.match(out, /dims: +122 × 101 × 30/);
    assert.match(out, /orientation: RAS/);
    assert.doesNotMatch(out, /labels:/);
  });

  test('a DICOM folder', async (t) => {
    const { out } = await capture(t, () => info([sharedData('ct-dicom-series', 'series'), '--json']));
    const json = JSON.parse(out);
    assert.deepEqual(json.dims, [512, 512, 20]);
    assert.equal(json.orientation, 'LAS');
  });

  test('a corrupt file: exit 1 and one line naming it', async (t) => {
    const path = join(dir, 'bad.nii.gz');
    writeFileSync(path, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]));
    const { code, err } = await capture(t, () => main(['info', path]));
    assert.equal(code, 1);
    assert.equal(err.split('\n').length, 1);
    assert.ok(err.startsWith(`mosmos info: ${path}: `), err);
  });
});

describe('mosmos convert', { skip }, () => {
  test('--reorient RAS writes the input reoriented, voxel for voxel', async (t) => {
    const input = sharedData('mr-abdomen', 'mr_small.nii.gz');
    const output = join(dir, 'mr_ras.nii.gz');
    const { code, out } = await capture(t, () => convert([input, output, '--reorient', 'RAS']));
    assert.equal(code, 0);
    assert.match(out, /wrote .*mr_ras\.nii\.gz: 117×91×20 int16, RAS/);
    const expected = reorient(await readNifti(input), 'RAS');
    const written = await readNifti(output);
    assert.deepEqual(written.affine, expected.affine);
    assert.ok(written.data.every((v, i) => v === expected.data[i]));
  });

  test('a DICOM folder to NIfTI', async (t) => {
    const output = join(dir, 'series.nii');
    const { code } = await capture(t, () => convert([sharedData('ct-dicom-series', 'series'), output]));
    assert.equal(code, 0);
    const volume = await readNifti(output);
    assert.deepEqual(volume.dims, [512, 512, 20]);
    assert.equal(volume.source?.header?.['sformCode'], 1, 'scanner coordinates');
  });

  test('refuses an existing output, a bad code or a bad extension, writing nothing', async () => {
    const sub = mkdtempSync(join(dir, 'refuse-'));
    const input = sharedData('ct-abdomen', 'ct_small.nii.gz');
    const existing = join(sub, 'out.nii.gz');
    writeFileSync(existing, 'keep me');
    await assert.rejects(
      convert([input, existing]),
      (e: Error) => e instanceof InputError && /output exists/.test(e.message),
    );
    await assert.rejects(convert([input, join(sub, 'x.nii.gz'), '--reorient', 'RAR']), InputError);
    await assert.rejects(convert([input, join(sub, 'x.png')]), /must end in \.nii or \.nii\.gz/);
    await assert.rejects(
      convert([join(sub, 'absent.nii.gz'), join(sub, 'y.nii.gz')]),
      /absent\.nii\.gz: no such file/,
    );
    assert.deepEqual(readdirSync(sub), ['out.nii.gz']);
  });
});
