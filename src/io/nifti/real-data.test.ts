// Reads the project's real public volumes (../shared/data) and checks them against facts that come
// with the data: shapes and orientations from its README, voxel counts from labels.tsv.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sharedData, sharedDataSkip } from '../../../test/shared-data.js';
import { orientationCode } from '../../volume/orientation.js';
import { labelCounts } from '../../volume/statistics.js';
import { niftiHeaderOf, readNifti, writeNifti } from './index.js';

const skip = sharedDataSkip();
const dir = mkdtempSync(join(tmpdir(), 'mosmos-real-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('real NIfTI files', { skip }, () => {
  test('abdominal CT: int32 HU, RAS, 3 mm, survives a write/read cycle bit for bit', async () => {
    const ct = await readNifti(sharedData('ct-abdomen', 'ct.nii.gz'));
    assert.deepEqual(ct.dims, [122, 101, 112]);
    assert.equal(ct.datatype, 'int32');
    assert.equal(orientationCode(ct.affine), 'RAS');
    assert.deepEqual(ct.spacing, [3, 3, 3]);
    const path = join(dir, 'ct.nii.gz');
    await writeNifti(path, ct);
    const back = await readNifti(path);
    assert.deepEqual(back.affine, ct.affine);
    assert.ok(
      Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(
        Buffer.from(ct.data.buffer, ct.data.byteOffset, ct.data.byteLength),
      ),
    );
  });

  test('abdominal MR is LPS', async () => {
    const mr = await readNifti(sharedData('mr-abdomen', 'mr_small.nii.gz'));
    assert.deepEqual(mr.dims, [117, 91, 20]);
    assert.equal(orientationCode(mr.affine), 'LPS');
  });

  test('brain parcellation: LIA, and voxel counts equal labels.tsv', async () => {
    const seg = await readNifti(sharedData('mri-brain', 'aparc_a2009s_aseg.nii.gz'));
    assert.deepEqual(seg.dims, [256, 256, 256]);
    assert.equal(orientationCode(seg.affine), 'LIA');
    const expected = readFileSync(sharedData('mri-brain', 'labels.tsv'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([id, , count]) => [Number(id), Number(count)] as [number, number]);
    assert.deepEqual(
      labelCounts(seg.data, seg.datatype),
      expected.sort((a, b) => a[0] - b[0]),
    );
  });

  test('a file with a header extension keeps it when written again', async () => {
    const input = sharedData('ct-dicom-series', 'seg_total_fast_31.nii.gz');
    const seg = await readNifti(input);
    assert.equal(orientationCode(seg.affine), 'LAS');
    const extensions = niftiHeaderOf(seg)!.extensions;
    assert.equal(extensions.length, 1);
    const path = join(dir, 'seg.nii.gz');
    await writeNifti(path, seg);
    const back = niftiHeaderOf(await readNifti(path))!;
    assert.equal(back.extensions.length, 1);
    assert.equal(back.extensions[0]!.code, extensions[0]!.code);
    // The payload may gain zero padding up to a multiple of 16 bytes, never lose content.
    const original = Buffer.from(extensions[0]!.data, 'base64');
    assert.ok(Buffer.from(back.extensions[0]!.data, 'base64').subarray(0, original.length).equals(original));
  });
});
