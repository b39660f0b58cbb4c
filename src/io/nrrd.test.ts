import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { readNrrd } from './nrrd.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-nrrd-'));
after(() => rmSync(root, { recursive: true, force: true }));

function header(lines: string[]): Uint8Array {
  return new TextEncoder().encode(['NRRD0004', '# made by the test', ...lines, '', ''].join('\n'));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const values = Int16Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 100 - 1000);
const common = [
  'type: short',
  'dimension: 3',
  'space: left-posterior-superior',
  'sizes: 2 3 4',
  'space directions: (0.5,0,0) (0,0.75,0) (0,0,2)',
  'kinds: domain domain domain',
  'space origin: (10,-20,30)',
];

test('raw and gzip NRRD give the same voxels; LPS space becomes a RAS affine', async () => {
  const bytes = new Uint8Array(values.buffer);
  writeFileSync(
    join(root, 'raw.nrrd'),
    concat(header([...common, 'endian: little', 'encoding: raw']), bytes),
  );
  writeFileSync(
    join(root, 'gz.nrrd'),
    concat(header([...common, 'endian: little', 'encoding: gzip']), gzipSync(bytes)),
  );
  for (const name of ['raw.nrrd', 'gz.nrrd']) {
    const volume = await readNrrd(join(root, name));
    assert.deepEqual(volume.dims, [2, 3, 4]);
    assert.equal(volume.datatype, 'int16');
    assert.deepEqual(volume.data, values);
    assert.deepEqual(volume.affine, [
      [-0.5, 0, 0, -10],
      [0, -0.75, 0, 20],
      [0, 0, 2, 30],
      [0, 0, 0, 1],
    ]);
    assert.deepEqual(volume.spacing, [0.5, 0.75, 2]);
  }
});

test('big-endian data and detached data files', async () => {
  const swapped = new Uint8Array(values.buffer.slice(0));
  for (let i = 0; i < swapped.length; i += 2) [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
  writeFileSync(join(root, 'be.raw'), swapped);
  writeFileSync(
    join(root, 'be.nhdr'),
    header([...common, 'endian: big', 'encoding: raw', 'data file: be.raw']),
  );
  assert.deepEqual((await readNrrd(join(root, 'be.nhdr'))).data, values);
});

test('bad NRRD files give one-line errors naming the file', async () => {
  const path = join(root, 'bad.nrrd');
  writeFileSync(path, 'P5 not a nrrd');
  await assert.rejects(readNrrd(path), new RegExp(`${path}: not a NRRD file`));
  writeFileSync(path, concat(header([...common, 'endian: little', 'encoding: raw']), new Uint8Array(10)));
  await assert.rejects(readNrrd(path), /NRRD data holds 10 bytes, expected 48/);
  writeFileSync(path, concat(header([...common, 'encoding: bzip2']), new Uint8Array(48)));
  await assert.rejects(readNrrd(path), /unsupported NRRD encoding "bzip2"/);
  await assert.rejects(readNrrd(join(root, 'absent.nrrd')), /absent\.nrrd: cannot read \(ENOENT\)/);
});

test('the dcmqi liver label map reads with its LPS geometry', { skip: sharedDataSkip() }, async () => {
  const volume = await readNrrd(sharedData('dicom-seg', 'segmentations', 'liver_seg.nrrd'));
  assert.deepEqual(volume.dims, [512, 512, 3]);
  // Header: space origin (-235.2, -226.8, -128.69) in LPS, directions +x, +y, +z.
  assert.ok(Math.abs(volume.affine[0]![3]! - 235.2) < 1e-9 && Math.abs(volume.affine[1]![3]! - 226.8) < 1e-9);
  assert.ok(volume.affine[0]![0]! < 0 && volume.affine[1]![1]! < 0 && volume.affine[2]![2]! > 0);
  let labelled = 0;
  for (const v of volume.data) if (v === 1) labelled++;
  assert.equal(labelled, 107098);
});
