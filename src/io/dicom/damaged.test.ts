// DICOM files as they arrive from the wild: cut short, padded after the pixel data, without
// geometry, or mixing frames of reference. Each is either read as pydicom/dcm2niix read it or
// refused with an error naming the file.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import dcmjs from 'dcmjs';
import { sharedData, sharedDataSkip } from '../../../test/shared-data.js';
import type { Volume } from '../../volume/volume.js';
import { collectWarnings } from '../../warnings.js';
import { readDicomSeries } from './series.js';
import { type WritableTransferSyntax, writeDicomSeries } from './series-write.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-damaged-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => join(root, `case${folders++}`);

/** A 40×36×3 CT-like volume (large enough for OpenJPEG's default wavelet levels). */
function phantom(slices = 3, z0 = 0): Volume<Int16Array> {
  const [nx, ny] = [40, 36];
  const data = new Int16Array(nx * ny * slices);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 900) - 1024;
  return {
    data,
    dims: [nx, ny, slices],
    spacing: [0.8, 0.8, 2],
    affine: [
      [-0.8, 0, 0, 10],
      [0, 0.8, 0, 0],
      [0, 0, 2, z0],
      [0, 0, 0, 1],
    ],
    datatype: 'int16',
  };
}

/** Rewrites one file with dcmjs after `edit` changes its dictionary. */
function rewrite(path: string, edit: (file: ReturnType<typeof dcmjs.data.DicomMessage.readFile>) => void) {
  const bytes = readFileSync(path);
  const file = dcmjs.data.DicomMessage.readFile(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
  edit(file);
  writeFileSync(path, new Uint8Array(file.write({ fragmentMultiframe: false })));
}

type Encoder = {
  getDecodedBuffer(info: object): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
};

async function wasmEncoder(glue: string, wasm: string, name: string): Promise<() => Encoder> {
  const require = createRequire(import.meta.url);
  const factory = require(glue) as (m: object) => Promise<Record<string, unknown>>;
  const wasmPath = require.resolve(wasm);
  const module = await factory({ locateFile: () => wasmPath, print: () => {}, printErr: () => {} });
  return () => new (module[name] as new () => Encoder)();
}

/** Re-encodes every slice with a JPEG-family codec, keeping `keep` of each codestream (1 = whole). */
async function compressSeries(
  paths: string[],
  codec: 'jpeg-2000' | 'jpeg-ls',
  keep: (file: number) => number,
) {
  const make =
    codec === 'jpeg-2000'
      ? await wasmEncoder(
          '@cornerstonejs/codec-openjpeg/wasmjs',
          '@cornerstonejs/codec-openjpeg/wasm',
          'J2KEncoder',
        )
      : await wasmEncoder(
          '@cornerstonejs/codec-charls/wasmjs',
          '@cornerstonejs/codec-charls/wasm',
          'JpegLSEncoder',
        );
  const syntax = codec === 'jpeg-2000' ? '1.2.840.10008.1.2.4.90' : '1.2.840.10008.1.2.4.80';
  paths.forEach((path, n) => {
    rewrite(path, (file) => {
      const pixels = new Uint8Array(file.dict['7FE00010']!.Value![0] as ArrayBuffer);
      const rows = Number(file.dict['00280010']!.Value![0]);
      const columns = Number(file.dict['00280011']!.Value![0]);
      const encoder = make();
      encoder
        .getDecodedBuffer({
          width: columns,
          height: rows,
          bitsPerSample: 16,
          componentCount: 1,
          isSigned: true,
        })
        .set(pixels);
      encoder.encode();
      let encoded = encoder.getEncodedBuffer().slice();
      encoder.delete();
      if (keep(n) < 1) encoded = encoded.slice(0, Math.floor(encoded.length * keep(n)));
      file.dict['7FE00010'] = { vr: 'OB', Value: [encoded.buffer] };
      file.meta['00020010'] = { vr: 'UI', Value: [syntax] };
    });
  });
}

for (const syntax of ['implicit-le', 'explicit-le', 'explicit-be', 'rle'] as WritableTransferSyntax[]) {
  test(`a ${syntax} slice cut short inside its pixel data is refused, naming the file`, async () => {
    const dir = folder();
    const paths = writeDicomSeries(dir, phantom(), { transferSyntax: syntax });
    const size = readFileSync(paths[1]!).length;
    truncateSync(paths[1]!, size - 301);
    await assert.rejects(readDicomSeries(dir), (error: Error) => {
      assert.match(error.message, /IMG0002\.dcm: truncated: the file ends at byte \d+ inside its pixel data/);
      return true;
    });
  });
}

for (const codec of ['jpeg-2000', 'jpeg-ls'] as const) {
  test(`a ${codec} codestream cut short (whole encapsulation) is refused, naming the file`, async () => {
    const dir = folder();
    const volume = phantom();
    const paths = writeDicomSeries(dir, volume);
    await compressSeries(paths, codec, (n) => (n === 2 ? 0.6 : 1));
    await assert.rejects(
      readDicomSeries(dir),
      /IMG0003\.dcm: cannot decode pixel data: .*(cut short|corrupt)/,
    );
    // The same series with whole codestreams reads back exactly (the check does not refuse good files).
    const good = folder();
    await compressSeries(writeDicomSeries(good, volume), codec, () => 1);
    assert.deepEqual((await readDicomSeries(good)).data, volume.data);
  });
}

test('bytes after the pixel data are ignored, as pydicom and dcm2niix do', async () => {
  for (const syntax of ['implicit-le', 'explicit-le', 'explicit-be', 'rle'] as WritableTransferSyntax[]) {
    const dir = folder();
    const volume = phantom();
    const paths = writeDicomSeries(dir, volume, { transferSyntax: syntax });
    appendFileSync(paths[0]!, new Uint8Array(10)); // too short to be an element: dcmjs stops on it
    appendFileSync(paths[2]!, Buffer.from('trailing garbage'));
    assert.deepEqual((await readDicomSeries(dir)).data, volume.data, syntax);
  }
});

test('a real JPEG 2000 CT slice cut to 25 kB is refused; padded after its pixel data it reads', {
  skip: sharedDataSkip(),
}, async () => {
  const series = sharedData('ct-dicom-series', 'series');
  const name = readdirSync(series).sort()[0]!;
  const whole = folder();
  mkdirSync(whole);
  copyFileSync(join(series, name), join(whole, name));
  const expected = (await readDicomSeries(whole)).data;

  const cut = folder();
  mkdirSync(cut);
  writeFileSync(join(cut, name), readFileSync(join(series, name)).subarray(0, 25_000));
  await assert.rejects(readDicomSeries(cut), new RegExp(`${name}: truncated`));

  const padded = folder();
  mkdirSync(padded);
  writeFileSync(join(padded, name), Buffer.concat([readFileSync(join(series, name)), Buffer.alloc(12)]));
  assert.deepEqual((await readDicomSeries(padded)).data, expected);
});

test('a lone slice without position/orientation converts with a warning that its geometry is assumed', async () => {
  const dir = folder();
  const [path] = writeDicomSeries(dir, phantom(1));
  rewrite(path!, (file) => {
    delete file.dict['00200032']; // ImagePositionPatient
    delete file.dict['00200037']; // ImageOrientationPatient
  });
  const { result, warnings } = await collectWarnings(() => readDicomSeries(dir));
  assert.deepEqual(result.dims, [40, 36, 1]);
  assert.deepEqual(result.spacing.slice(0, 2), [0.8, 0.8]); // PixelSpacing kept
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /IMG0001\.dcm: no ImagePositionPatient\/ImageOrientationPatient; geometry assumed/,
  );

  // Without PixelSpacing either: 1 mm.
  rewrite(path!, (file) => {
    delete file.dict['00280030'];
  });
  const bare = await collectWarnings(() => readDicomSeries(dir));
  assert.deepEqual(bare.result.spacing.slice(0, 2), [1, 1]);
  assert.match(
    bare.warnings[0]!,
    /PixelSpacing; geometry assumed: identity orientation at the origin, 1 × 1/,
  );

  // Several slices without geometry cannot be stacked: still an error.
  const several = folder();
  const paths = writeDicomSeries(several, phantom(2));
  for (const p of paths) rewrite(p, (file) => delete file.dict['00200032']);
  await assert.rejects(readDicomSeries(several), /IMG0001\.dcm: no ImagePositionPatient/);
});

test('slices of one series with different FrameOfReferenceUIDs are refused, naming both', async () => {
  const dir = folder();
  const seriesInstanceUid = '1.2.3.4.5';
  writeDicomSeries(join(dir, 'a'), phantom(2, 0), { seriesInstanceUid, frameOfReferenceUid: '1.2.3.100' });
  writeDicomSeries(join(dir, 'b'), phantom(2, 4), { seriesInstanceUid, frameOfReferenceUid: '1.2.3.200' });
  await assert.rejects(
    readDicomSeries(dir),
    /different FrameOfReferenceUIDs .*IMG0001\.dcm has 1\.2\.3\.100, IMG0001\.dcm has 1\.2\.3\.200/,
  );
  // One frame of reference: the same four slices stack into one volume.
  const same = folder();
  writeDicomSeries(join(same, 'a'), phantom(2, 0), { seriesInstanceUid, frameOfReferenceUid: '1.2.3.100' });
  writeDicomSeries(join(same, 'b'), phantom(2, 4), { seriesInstanceUid, frameOfReferenceUid: '1.2.3.100' });
  assert.deepEqual((await readDicomSeries(same)).dims, [40, 36, 4]);
});
