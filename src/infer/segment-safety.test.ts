// What `segment` refuses or repairs before it spends time on inference, and how it writes: weights of
// another run, NaN voxels, 4D inputs, an output equal to the input or in a missing folder, and
// outputs written all together or not at all.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeTinyModel } from '../../test/tiny-model.js';
import { writeFilesAtomic } from '../files/atomic-write.js';
import { readNifti, writeNifti } from '../io/nifti/index.js';
import type { Volume } from '../volume/volume.js';
import { collectWarnings } from '../warnings.js';
import { segmentFile } from './segment-file.js';
import { loadSegmentationModel } from './segmentation-model.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-segment-safety-'));
after(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, 'model');
const ready = writeTinyModel(model);

/** A 24×24×4 float32 CT-like volume (frames > 1: a 4D series whose frames differ). */
function ctVolume(frames = 1): Volume<Float32Array> {
  const size = 24 * 24 * 4;
  const data = new Float32Array(size * frames);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 400) - 200 + 50 * Math.floor(i / size);
  return {
    data,
    dims: frames === 1 ? [24, 24, 4] : [24, 24, 4, frames],
    spacing: [4, 4, 5],
    affine: [
      [4, 0, 0, 0],
      [0, 4, 0, 0],
      [0, 0, 5, 0],
      [0, 0, 0, 1],
    ],
    datatype: 'float32',
  };
}

async function writeInput(name: string, volume: Volume): Promise<string> {
  const path = join(root, name);
  await writeNifti(path, volume);
  return path;
}

test('segment refuses weights written by another run than the one model.json describes', async () => {
  await ready;
  const other = join(root, 'mixed');
  await writeTinyModel(other, { runId: 'new-run', weightsRunId: 'old-run' });
  await assert.rejects(
    loadSegmentationModel(other),
    /best\.safetensors: written by run old-run, but .*model\.json describes run new-run/,
  );
  const unmarked = join(root, 'unmarked');
  await writeTinyModel(unmarked, { runId: 'new-run', weightsRunId: null });
  await assert.rejects(loadSegmentationModel(unmarked), /written by a run without an id/);
  // Missing weights (a run stopped before its first epoch ended) say so.
  rmSync(join(unmarked, 'best.safetensors'));
  await assert.rejects(loadSegmentationModel(unmarked), /best\.safetensors: missing: .*--resume/);
  assert.equal((await loadSegmentationModel(model)).info.runId, 'tiny-run');
});

test('NaN voxels are replaced (with a warning naming the file and count); an all-NaN volume is an error', async () => {
  await ready;
  const clean = ctVolume();
  const holed = ctVolume();
  let smallest = Number.POSITIVE_INFINITY;
  for (const v of clean.data) smallest = Math.min(smallest, v);
  let count = 0;
  for (let z = 1; z < 3; z++)
    for (let y = 5; y < 11; y++)
      for (let x = 5; x < 11; x++) {
        const i = (z * 24 + y) * 24 + x;
        holed.data[i] = count % 5 === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
        clean.data[i] = smallest;
        count++;
      }
  const holedPath = await writeInput('holed.nii.gz', holed);
  const cleanPath = await writeInput('clean.nii.gz', clean);
  const { result, warnings } = await collectWarnings(() =>
    segmentFile(holedPath, model, join(root, 'holed-seg.nii.gz')),
  );
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    new RegExp(`holed\\.nii\\.gz: ${count} NaN or infinite voxels replaced with ${smallest}`),
  );
  const expected = await segmentFile(cleanPath, model, join(root, 'clean-seg.nii.gz'));
  assert.deepEqual(result.labelMap.data, expected.labelMap.data);

  const empty = ctVolume();
  empty.data.fill(Number.NaN);
  const emptyPath = await writeInput('all-nan.nii.gz', empty);
  await assert.rejects(
    segmentFile(emptyPath, model, join(root, 'x.nii.gz')),
    /all-nan\.nii\.gz: every voxel is NaN/,
  );
});

test('a 4D input needs --frame; with it, that frame is segmented', async () => {
  await ready;
  const series = ctVolume(3);
  const path = await writeInput('series4d.nii.gz', series);
  await assert.rejects(
    segmentFile(path, model, join(root, '4d-seg.nii.gz')),
    /series4d\.nii\.gz: is 4D \(3 frames\); choose one with --frame 0…2/,
  );
  const frame = await segmentFile(path, model, join(root, '4d-seg.nii.gz'), { frame: 2 });
  assert.deepEqual(frame.labelMap.dims, [24, 24, 4]);
  const third = ctVolume();
  third.data.set(series.data.subarray(2 * 24 * 24 * 4));
  const alone = await segmentFile(
    await writeInput('frame2.nii.gz', third),
    model,
    join(root, 'f2-seg.nii.gz'),
  );
  assert.deepEqual(frame.labelMap.data, alone.labelMap.data);
});

test('segment never overwrites its input, even with --force', async () => {
  await ready;
  const path = await writeInput('precious.nii.gz', ctVolume());
  const before = readFileSync(path);
  await assert.rejects(segmentFile(path, model, path, { force: true }), /precious\.nii\.gz: is the input/);
  assert.deepEqual(readFileSync(path), before);
});

test('output folders are checked before inference, and the outputs are written all or none', async () => {
  await ready;
  const input = await writeInput('scan.nii.gz', ctVolume());
  const dir = join(root, 'outputs');
  mkdirSync(dir);
  let windows = 0;
  const missing = join(root, 'no-such-folder', 'stats.json');
  await assert.rejects(
    segmentFile(input, model, join(dir, 'seg.nii.gz'), { stats: missing, onProgress: () => windows++ }),
    /no-such-folder\/stats\.json: its folder .*no-such-folder does not exist/,
  );
  assert.equal(windows, 0, 'refused before any inference');
  assert.deepEqual(readdirSync(dir), [], 'no output written');
  // A folder where a file should go is refused up front too.
  mkdirSync(join(dir, 'stats.json'));
  await assert.rejects(
    segmentFile(input, model, join(dir, 'seg.nii.gz'), { stats: join(dir, 'stats.json'), force: true }),
    /stats\.json: is a folder/,
  );
  assert.deepEqual(readdirSync(dir), ['stats.json']);
  const ok = await segmentFile(input, model, join(dir, 'seg.nii.gz'), { stats: join(dir, 'ok.json') });
  assert.deepEqual(ok.written.sort(), [join(dir, 'ok.json'), join(dir, 'seg.json'), join(dir, 'seg.nii.gz')]);
  assert.deepEqual((await readNifti(join(dir, 'seg.nii.gz'))).dims, [24, 24, 4]);
});

test('writeFilesAtomic: a failure while writing leaves no output and no temporary file', () => {
  const dir = join(root, 'atomic');
  mkdirSync(dir);
  // The third file's second piece is not bytes: writing it throws after two files were written.
  const broken = [new Uint8Array(3), { length: 4 } as unknown as Uint8Array];
  assert.throws(() =>
    writeFilesAtomic([
      { path: join(dir, 'a.nii'), data: new Uint8Array(10) },
      { path: join(dir, 'b.json'), data: '{}' },
      { path: join(dir, 'c.json'), data: broken },
    ]),
  );
  assert.deepEqual(readdirSync(dir), []);
  assert.ok(!existsSync(join(dir, 'a.nii')));
});
