import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import dcmjs from 'dcmjs';
import { sharedData, sharedDataSkip } from '../../../test/shared-data.js';
import type { Volume } from '../../volume/volume.js';
import { readNifti } from '../nifti/index.js';
import { listDicomSeries, readDicomSeries } from './series.js';
import { type WritableTransferSyntax, writeDicomSeries } from './series-write.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-dicom-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => join(root, `case${folders++}`);

/** A 7×5×4 CT-like volume with negative values, a value above 2048 and an LAS affine. */
function phantom(): Volume<Int16Array> {
  const data = new Int16Array(7 * 5 * 4);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 200) - 1024 + (i % 7 === 0 ? 3000 : 0);
  return {
    data,
    dims: [7, 5, 4],
    spacing: [0.8, 0.9, 2.5],
    affine: [
      [-0.8, 0, 0, 10],
      [0, 0.9, 0, -20],
      [0, 0, 2.5, -30],
      [0, 0, 0, 1],
    ],
    datatype: 'int16',
  };
}

// Geometry comes from decimal strings of at most 16 characters: 1e-6 mm is far below their precision loss.
function assertSameGrid(actual: Volume, expected: Volume, tolerance = 1e-6) {
  assert.deepEqual(actual.dims, expected.dims);
  actual.affine.forEach((row, r) => {
    row.forEach((v, c) => {
      const diff = Math.abs(v - expected.affine[r]![c]!);
      assert.ok(diff <= tolerance, `affine[${r}][${c}] differs by ${diff} mm`);
    });
  });
}

for (const syntax of [
  'implicit-le',
  'explicit-le',
  'explicit-be',
  'deflate',
  'rle',
] as WritableTransferSyntax[]) {
  test(`a series in ${syntax} reads back voxel for voxel on the same grid`, async () => {
    const dir = folder();
    const volume = phantom();
    writeDicomSeries(dir, volume, { transferSyntax: syntax });
    const read = await readDicomSeries(dir);
    assertSameGrid(read, volume);
    assert.equal(read.datatype, 'int16');
    assert.deepEqual(read.data, volume.data);
    assert.equal(read.source?.format, 'dicom');
    assert.equal(read.source?.header?.modality, 'CT');
  });
}

/** Re-encodes every file of a folder with a compressed transfer syntax, frame by frame. */
function recompress(
  paths: string[],
  transferSyntax: string,
  encode: (pixels: Uint8Array, rows: number, columns: number) => Uint8Array,
) {
  for (const path of paths) {
    const bytes = readFileSync(path);
    const file = dcmjs.data.DicomMessage.readFile(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    const pixels = new Uint8Array(file.dict['7FE00010']!.Value![0] as ArrayBuffer);
    const rows = Number(file.dict['00280010']!.Value![0]);
    const columns = Number(file.dict['00280011']!.Value![0]);
    file.dict['7FE00010'] = { vr: 'OB', Value: [encode(pixels, rows, columns).slice().buffer] };
    file.meta['00020010'] = { vr: 'UI', Value: [transferSyntax] };
    writeFileSync(path, new Uint8Array(file.write({ fragmentMultiframe: false })));
  }
}

test('JPEG-LS lossless frames (CharLS WASM) decode to the original values', async () => {
  const require = createRequire(import.meta.url);
  const factory = require('@cornerstonejs/codec-charls/wasmjs') as (
    m: object,
  ) => Promise<Record<string, unknown>>;
  const wasm = require.resolve('@cornerstonejs/codec-charls/wasm');
  const charls = await factory({ locateFile: () => wasm, print: () => {}, printErr: () => {} });
  type Encoder = {
    getDecodedBuffer(info: object): Uint8Array;
    setNearLossless(n: number): void;
    encode(): void;
    getEncodedBuffer(): Uint8Array;
    delete(): void;
  };
  const dir = folder();
  const volume = phantom();
  const paths = writeDicomSeries(dir, volume, { transferSyntax: 'explicit-le' });
  recompress(paths, '1.2.840.10008.1.2.4.80', (pixels, rows, columns) => {
    const encoder = new (charls.JpegLSEncoder as new () => Encoder)();
    encoder
      .getDecodedBuffer({ width: columns, height: rows, bitsPerSample: 16, componentCount: 1 })
      .set(pixels);
    encoder.setNearLossless(0);
    encoder.encode();
    const encoded = encoder.getEncodedBuffer().slice();
    encoder.delete();
    return encoded;
  });
  const read = await readDicomSeries(dir);
  assertSameGrid(read, volume);
  assert.deepEqual(read.data, volume.data);
});

test('an unsupported transfer syntax is one clear error naming the file', async () => {
  const dir = folder();
  const paths = writeDicomSeries(dir, phantom());
  recompress(paths, '1.2.840.10008.1.2.4.50', () => Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]));
  await assert.rejects(
    readDicomSeries(dir),
    /IMG0001\.dcm: unsupported transfer syntax JPEG Baseline \(lossy\) \(1\.2\.840\.10008\.1\.2\.4\.50\)/,
  );
});

test('slices are stacked by position, not by file name', async () => {
  const dir = folder();
  const volume = phantom();
  const paths = writeDicomSeries(dir, volume);
  // Swap the names of the first and last slice files.
  const first = readFileSync(paths[0]!);
  writeFileSync(paths[0]!, readFileSync(paths[3]!));
  writeFileSync(paths[3]!, first);
  assert.deepEqual((await readDicomSeries(dir)).data, volume.data);
});

test('a folder with two series lists them, and --series picks one', async () => {
  const dir = folder();
  const ct = phantom();
  writeDicomSeries(join(dir, 'a'), ct, { seriesDescription: 'arterial', seriesNumber: 2 });
  const other = { ...phantom(), data: phantom().data.map((v) => v + 1) };
  writeDicomSeries(join(dir, 'b'), other, { seriesDescription: 'venous', seriesNumber: 3 });
  const error = await readDicomSeries(dir).catch((e: Error) => e);
  assert.ok(error instanceof Error);
  assert.match(
    error.message,
    /2 series found, pick one with --series <UID>: .*"arterial", 4 slices.*"venous", 4 slices/,
  );
  assert.equal(error.message.split('\n').length, 1);
  const listed = await listDicomSeries(dir);
  const venous = listed.find((s) => s.description === 'venous')!;
  assert.deepEqual((await readDicomSeries(dir, { series: venous.seriesInstanceUid })).data, other.data);
  assert.deepEqual((await readDicomSeries(dir, { series: '2' })).data, ct.data);
  await assert.rejects(readDicomSeries(dir, { series: '9.9.9' }), /no series 9\.9\.9; found/);
});

test('a missing slice is refused, naming the folder and the gap', async () => {
  const dir = folder();
  const volume: Volume = { ...phantom(), dims: [7, 5, 5], data: new Int16Array(7 * 5 * 5) };
  const paths = writeDicomSeries(dir, volume);
  rmSync(paths[2]!);
  await assert.rejects(readDicomSeries(dir), (e: Error) =>
    e.message.startsWith(`${dir}: missing slice: gap of 5 mm (typical 2.5 mm) between slice 2 and 3 of 4`),
  );
});

test('a gantry-tilted series keeps its exact sheared affine', async () => {
  const dir = folder();
  const volume = phantom();
  volume.affine[1]![2] = 0.4; // each slice shifts 0.4 mm anteriorly as it advances 2.5 mm
  writeDicomSeries(dir, volume);
  const read = await readDicomSeries(dir);
  assertSameGrid(read, volume);
  assert.ok(
    Math.abs(Number(read.source?.header?.gantryTiltDegrees) - (Math.atan(0.4 / 2.5) * 180) / Math.PI) < 1e-4,
  );
});

test('empty, non-DICOM and non-folder inputs give one-line errors', async () => {
  const empty = folder();
  mkdirSync(empty);
  await assert.rejects(
    readDicomSeries(empty),
    (e: Error) => e.message === `${empty}: empty folder (no DICOM files)`,
  );
  const text = folder();
  mkdirSync(text);
  writeFileSync(join(text, 'notes.txt'), 'not an image');
  await assert.rejects(
    readDicomSeries(text),
    (e: Error) => e.message === `${text}: no DICOM files among its 1 files`,
  );
  await assert.rejects(readDicomSeries(join(text, 'notes.txt')), /not a folder/);
  await assert.rejects(readDicomSeries(join(text, 'absent')), /cannot read folder \(ENOENT\)/);
});

test('non-DICOM files and DICOMDIR beside the slices are skipped', async () => {
  const dir = folder();
  const volume = phantom();
  writeDicomSeries(dir, volume);
  writeFileSync(join(dir, 'DICOMDIR'), 'index');
  writeFileSync(join(dir, 'README.txt'), 'exported by a viewer');
  assert.deepEqual((await readDicomSeries(dir)).data, volume.data);
});

test('the JPEG 2000 CT series lands exactly on the grid of its NIfTI segmentation', {
  skip: sharedDataSkip(),
}, async () => {
  const series = await readDicomSeries(sharedData('ct-dicom-series', 'series'));
  const segmentation = await readNifti(sharedData('ct-dicom-series', 'seg_total_fast_31.nii.gz'));
  // The brief's tolerance: 1e-3 mm (the NIfTI stores its affine in float32).
  assertSameGrid(series, segmentation, 1e-3);
  assert.equal(series.datatype, 'int16');
  assert.equal(series.source?.header?.transferSyntax, '1.2.840.10008.1.2.4.90');
  let min = Number.POSITIVE_INFINITY;
  for (const v of series.data) min = Math.min(min, v);
  assert.equal(min, -1024, 'RescaleIntercept −1024 applied to stored 0 (air outside the field of view)');
});

test('the dcmqi test series read as 3D volumes', { skip: sharedDataSkip() }, async () => {
  const ct = await readDicomSeries(sharedData('dicom-seg', 'segmentations', 'ct-3slice'));
  assert.deepEqual(ct.dims, [512, 512, 3]);
  assert.ok(Math.abs(ct.spacing[2] - 1) < 1e-6);
  const image = await readDicomSeries(sharedData('dicom-seg', 'segmentations', '23x38x3', 'image'));
  assert.deepEqual(image.dims, [23, 38, 3]);
  // The enhanced multi-frame copy of the same image must give the same voxels on the same grid.
  const multiframe = await readDicomSeries(sharedData('dicom-seg', 'segmentations', '23x38x3', 'multiframe'));
  assertSameGrid(multiframe, image);
  assert.deepEqual(multiframe.data, image.data);
});

/** Rewrites one header element of every file, e.g. to set RescaleSlope. */
function setElement(paths: string[], tag: string, vr: string, value: unknown) {
  for (const path of paths) {
    const bytes = readFileSync(path);
    const file = dcmjs.data.DicomMessage.readFile(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    file.dict[tag] = { vr, Value: [value] };
    writeFileSync(path, new Uint8Array(file.write()));
  }
}

test('RescaleSlope/Intercept apply; int16 when the values fit, else float32', async () => {
  const volume = phantom();
  const halves = writeDicomSeries(folder(), volume);
  setElement(halves, '00281053', 'DS', 0.5);
  const half = await readDicomSeries(join(halves[0]!, '..'));
  assert.equal(half.datatype, 'float32');
  for (let i = 0; i < half.data.length; i++) assert.equal(half.data[i], volume.data[i]! * 0.5);
  const shifted = writeDicomSeries(folder(), volume);
  setElement(shifted, '00281052', 'DS', 31000); // the phantom's maximum, 2175, becomes 33175
  const big = await readDicomSeries(join(shifted[0]!, '..'));
  assert.equal(big.datatype, 'float32', 'values above 32767 do not fit int16');
  for (let i = 0; i < big.data.length; i++) assert.equal(big.data[i], volume.data[i]! + 31000);
});
