import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { InputError } from '../errors.js';
import { readVolume } from './read-volume.js';

const dir = mkdtempSync(join(tmpdir(), 'mosmos-read-volume-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a NIfTI file and a DICOM folder of the same scan share geometry', {
  skip: sharedDataSkip(),
}, async () => {
  const series = await readVolume(sharedData('ct-dicom-series', 'series'));
  const seg = await readVolume(sharedData('ct-dicom-series', 'seg_total_fast_31.nii.gz'));
  assert.equal(series.source?.format, 'dicom');
  assert.equal(seg.source?.format, 'nifti');
  assert.deepEqual(series.dims, seg.dims);
  // The README gives the map "in the series' own space": affines agree to float32 header precision.
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(series.affine[r]![c]! - seg.affine[r]![c]!) < 1e-3);
});

test('errors name the path', async () => {
  await assert.rejects(readVolume(join(dir, 'nothing')), /nothing: no such file or folder/);
  const dicomFile = join(dir, 'one.dcm');
  const bytes = new Uint8Array(200);
  bytes.set(new TextEncoder().encode('DICM'), 128);
  writeFileSync(dicomFile, bytes);
  await assert.rejects(
    readVolume(dicomFile),
    (e: Error) => e instanceof InputError && /single DICOM file/.test(e.message),
  );
  await assert.rejects(readVolume(dicomFile, { series: '1.2.3' }), /--series applies to DICOM folders/);
});
