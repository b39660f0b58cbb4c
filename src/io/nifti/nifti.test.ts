import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../../errors.js';
import { allocateVoxels, type DataType, type Matrix4, type Volume } from '../../volume/volume.js';
import { decodeNifti, encodeNifti, readNifti, writeNifti } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'mosmos-nifti-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DATATYPES: DataType[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'];
const EXTREMES: Record<DataType, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-3.4e38, 1.5e-40],
  float64: [-1.7976931348623157e308, 5e-324],
};

/** An oblique, left-handed affine so that qfac, rotation and offsets are all exercised. */
const OBLIQUE: Matrix4 = [
  [-0.9 * Math.cos(0.3), 0, 1.2 * Math.sin(0.3), 10.5],
  [0, 0.8, 0, -20.25],
  [-0.9 * Math.sin(0.3), 0, -1.2 * Math.cos(0.3), 33],
  [0, 0, 0, 1],
];

function sampleVolume(datatype: DataType, dims = [5, 4, 3], affine = OBLIQUE): Volume {
  const count = dims.reduce((a, b) => a * b, 1);
  const data = allocateVoxels(datatype, count);
  const [lo, hi] = EXTREMES[datatype];
  for (let i = 0; i < count; i++) data[i] = (i * 37) % 101;
  data[0] = lo;
  data[count - 1] = hi;
  return { data, dims, spacing: [0.9, 0.8, 1.2], affine, datatype };
}

function assertAffineClose(actual: Matrix4, expected: Matrix4, tolerance: number): void {
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      assert.ok(
        Math.abs(actual[r]![c]! - expected[r]![c]!) <= tolerance,
        `affine[${r}][${c}] ${actual[r]![c]} vs ${expected[r]![c]}`,
      );
    }
  }
}

describe('NIfTI round trip', () => {
  for (const datatype of DATATYPES) {
    for (const extension of ['.nii', '.nii.gz']) {
      test(`${datatype} ${extension}`, async () => {
        const volume = sampleVolume(datatype);
        const path = join(dir, `rt-${datatype}${extension}`);
        await writeNifti(path, volume);
        const back = await readNifti(path);
        assert.equal(back.datatype, datatype);
        assert.deepEqual(back.dims, volume.dims);
        assert.deepEqual(Array.from(back.data), Array.from(volume.data));
        // The sform is stored as float32 in NIfTI-1: relative error ≤ 2⁻²⁴ of values up to ~33.
        assertAffineClose(back.affine, volume.affine, 1e-5);
      });
    }
  }

  test('4D volume keeps its channels', async () => {
    const volume = sampleVolume('float32', [4, 3, 2, 3]);
    const path = join(dir, 'four-d.nii.gz');
    await writeNifti(path, volume);
    const back = await readNifti(path);
    assert.deepEqual(back.dims, [4, 3, 2, 3]);
    assert.deepEqual(Array.from(back.data), Array.from(volume.data));
  });

  test('NIfTI-2 round trip keeps float64 affines exactly', async () => {
    const volume = sampleVolume('int16');
    const path = join(dir, 'v2.nii');
    await writeNifti(path, volume, { version: 2 });
    const bytes = readFileSync(path);
    assert.equal(bytes.readInt32LE(0), 540);
    assert.equal(bytes.readBigInt64LE(168), 544n, 'vox_offset right after the 540-byte header and flag');
    const back = await readNifti(path);
    assert.deepEqual(Array.from(back.data), Array.from(volume.data));
    assertAffineClose(back.affine, volume.affine, 1e-12);
  });

  test('qform agrees with the sform it was derived from', async () => {
    const bytes = encodeNifti(sampleVolume('uint8'));
    // Force the reader onto the qform by clearing sform_code, then compare with the sform.
    new DataView(bytes.buffer).setInt16(254, 0, true);
    new DataView(bytes.buffer).setInt16(252, 1, true);
    const volume = decodeNifti(bytes, 'q.nii');
    // Quaternion and zooms are float32: ~1e-6 relative on values of order 1–30.
    assertAffineClose(volume.affine, OBLIQUE, 2e-5);
  });

  test('header extensions survive a read–write cycle', async () => {
    const bytes = encodeNifti(sampleVolume('int16'));
    const payload = Buffer.from('<xml>extension payload</xml>');
    const esize = Math.ceil((payload.length + 8) / 16) * 16;
    const extension = Buffer.alloc(esize);
    extension.writeInt32LE(esize, 0);
    extension.writeInt32LE(30, 4);
    payload.copy(extension, 8);
    const withExtension = Buffer.concat([
      bytes.subarray(0, 348),
      Buffer.from([1, 0, 0, 0]),
      extension,
      bytes.subarray(352),
    ]);
    withExtension.writeFloatLE(352 + esize, 108);
    const input = join(dir, 'ext-in.nii');
    writeFileSync(input, withExtension);
    const volume = await readNifti(input);
    const output = join(dir, 'ext-out.nii.gz');
    await writeNifti(output, volume);
    const written = gunzipSync(readFileSync(output));
    assert.equal(written[348], 1, 'extension flag set');
    assert.equal(written.readInt32LE(352), esize);
    assert.equal(written.readInt32LE(356), 30);
    assert.equal(written.subarray(360, 360 + payload.length).toString(), payload.toString());
    assert.equal(written.readFloatLE(108), 352 + esize);
    const again = await readNifti(output);
    assert.deepEqual(Array.from(again.data), Array.from(volume.data));
  });

  test('codes and description of the source header are kept', async () => {
    const volume = decodeNifti(
      encodeNifti(sampleVolume('int16'), { description: 'from scanner X' }),
      'a.nii',
    );
    const header = volume.source!.header!;
    header['qformCode'] = 1;
    header['sformCode'] = 4;
    const again = decodeNifti(encodeNifti(volume), 'b.nii');
    assert.equal(again.source!.header!['descrip'], 'from scanner X');
    assert.equal(again.source!.header!['qformCode'], 1);
    assert.equal(again.source!.header!['sformCode'], 4);
  });

  test('writing to another datatype rounds and clamps', () => {
    const volume: Volume = {
      data: new Float32Array([-3.6, 0.4, 0.5, 254.6, 300, Number.NaN]),
      dims: [6, 1, 1],
      spacing: [1, 1, 1],
      affine: OBLIQUE,
      datatype: 'float32',
    };
    const back = decodeNifti(encodeNifti(volume, { datatype: 'uint8' }), 'c.nii');
    assert.deepEqual(Array.from(back.data), [0, 0, 1, 255, 255, 0]);
  });
});

/** A big-endian NIfTI-1 file built field by field, independent of the writer. */
function bigEndianFile(): Uint8Array {
  const values = [1, -2, 300, -400, 5000, -6000];
  const bytes = new Uint8Array(352 + values.length * 2);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 348, false);
  [3, 3, 2, 1, 1, 1, 1, 1].forEach((v, i) => {
    view.setInt16(40 + 2 * i, v, false);
  });
  view.setInt16(70, 4, false); // int16
  view.setInt16(72, 16, false);
  [1, 2, 3, 4, 1, 1, 1, 1].forEach((v, i) => {
    view.setFloat32(76 + 4 * i, v, false);
  });
  view.setFloat32(108, 352, false);
  view.setFloat32(112, 0.5, false); // scl_slope
  view.setFloat32(116, 10, false); // scl_inter
  view.setInt16(254, 1, false); // sform_code
  [2, 0, 0, -5].forEach((v, i) => {
    view.setFloat32(280 + 4 * i, v, false);
  });
  [0, 3, 0, 6].forEach((v, i) => {
    view.setFloat32(296 + 4 * i, v, false);
  });
  [0, 0, 4, 7].forEach((v, i) => {
    view.setFloat32(312 + 4 * i, v, false);
  });
  bytes.set([0x6e, 0x2b, 0x31, 0], 344);
  values.forEach((v, i) => {
    view.setInt16(352 + 2 * i, v, false);
  });
  return bytes;
}

describe('NIfTI decoding', () => {
  test('big-endian with scl_slope/scl_inter gives scaled float32', () => {
    const volume = decodeNifti(bigEndianFile(), 'be.nii');
    assert.equal(volume.datatype, 'float32');
    assert.deepEqual(volume.dims, [3, 2, 1]);
    assert.deepEqual(Array.from(volume.data), [10.5, 9, 160, -190, 2510, -2990]);
    assert.deepEqual(volume.affine, [
      [2, 0, 0, -5],
      [0, 3, 0, 6],
      [0, 0, 4, 7],
      [0, 0, 0, 1],
    ]);
    assert.deepEqual(volume.spacing, [2, 3, 4]);
  });

  test('slope 1 and intercept 0 keep the raw integer type', () => {
    const bytes = bigEndianFile();
    new DataView(bytes.buffer).setFloat32(112, 1, false);
    new DataView(bytes.buffer).setFloat32(116, 0, false);
    const volume = decodeNifti(bytes, 'raw.nii');
    assert.equal(volume.datatype, 'int16');
    assert.deepEqual(Array.from(volume.data), [1, -2, 300, -400, 5000, -6000]);
  });

  test('no codes: nibabel fallback affine (x flipped, centred)', () => {
    const bytes = bigEndianFile();
    new DataView(bytes.buffer).setInt16(254, 0, false);
    const volume = decodeNifti(bytes, 'nocodes.nii');
    assert.deepEqual(volume.affine, [
      [-2, 0, 0, 2],
      [0, 3, 0, -1.5],
      [0, 0, 4, -0],
      [0, 0, 0, 1],
    ]);
  });
});

describe('NIfTI errors name the file and write nothing', () => {
  const good = gzipSync(encodeNifti(sampleVolume('int16', [20, 20, 20])));
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated.nii.gz', good.subarray(0, good.length >> 1), /truncated gzip data/],
    [
      'corrupt.nii.gz',
      Uint8Array.from(good, (b, i) => (i > 40 && i < 200 ? b ^ 0x5a : b)),
      /corrupt gzip data/,
    ],
    [
      'magic.nii',
      Uint8Array.from(encodeNifti(sampleVolume('int16')), (b, i) => (i === 345 ? 0x78 : b)),
      /wrong magic/,
    ],
    [
      'short.nii',
      encodeNifti(sampleVolume('int16')).subarray(0, 352 + 10),
      /voxel data is 10 bytes .* needs 120/,
    ],
    ['tiny.nii', new Uint8Array([1, 2, 3]), /not a NIfTI file/],
    [
      'header.nii.gz',
      gzipSync(encodeNifti(sampleVolume('int16')).subarray(0, 200)),
      /ends inside the 348-byte header/,
    ],
  ];
  for (const [name, bytes, pattern] of cases) {
    test(name, async () => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      await assert.rejects(readNifti(path), (error: Error) => {
        assert.ok(error instanceof InputError);
        assert.ok(error.message.startsWith(`${path}: `), error.message);
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
    });
  }

  test('missing file', async () => {
    await assert.rejects(readNifti(join(dir, 'absent.nii.gz')), /absent\.nii\.gz: no such file/);
  });

  test('existing output is refused without force, replaced with it', async () => {
    const sub = mkdtempSync(join(dir, 'out-'));
    const path = join(sub, 'out.nii.gz');
    await writeNifti(path, sampleVolume('uint8'));
    const before = readFileSync(path);
    await assert.rejects(writeNifti(path, sampleVolume('int16')), /out\.nii\.gz: output exists/);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(sub), ['out.nii.gz'], 'no temporary file left behind');
    await writeNifti(path, sampleVolume('int16'), { force: true });
    assert.equal((await readNifti(path)).datatype, 'int16');
  });
});
