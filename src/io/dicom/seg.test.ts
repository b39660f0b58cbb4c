import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sharedData, sharedDataSkip } from '../../../test/shared-data.js';
import { invertAffine } from '../../volume/matrix.js';
import type { Volume } from '../../volume/volume.js';
import { readNrrd } from '../nrrd.js';
import { readDicomSeg } from './seg-read.js';
import { writeDicomSeg } from './seg-write.js';
import { readDicomSeries } from './series.js';
import { writeDicomSeries } from './series-write.js';
import { organProperty } from './snomed.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-seg-'));
after(() => rmSync(root, { recursive: true, force: true }));
const segmentations = (...parts: string[]) => sharedData('dicom-seg', 'segmentations', ...parts);

/**
 * Voxel values of `b` at the world positions of `a`'s voxels (the grids may differ by axis flips or
 * shifts, but every voxel centre of `a` must be a voxel centre of `b`, to 1e-3 voxel).
 */
function resampleExact(a: Volume, b: Volume): Float64Array {
  const m = invertAffine(b.affine);
  const t = [0, 1, 2].map((r) =>
    [0, 1, 2, 3].map(
      (c) => [0, 1, 2].reduce((s, k) => s + m[r]![k]! * a.affine[k]![c]!, 0) + (c === 3 ? m[r]![3]! : 0),
    ),
  );
  // The map is affine, so voxel centres land on voxel centres exactly when its matrix is integral.
  t.forEach((row, r) => {
    row.forEach((v, c) => {
      assert.ok(
        Math.abs(v - Math.round(v)) < 1e-3,
        `grids differ by a non-integer voxel map (t[${r}][${c}] = ${v})`,
      );
    });
  });
  const n = t.map((row) => row.map(Math.round));
  const [nx, ny, nz] = a.dims as [number, number, number];
  const out = new Float64Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const [x, y, z] = n.map((row) => row[0]! * i + row[1]! * j + row[2]! * k + row[3]!) as [
          number,
          number,
          number,
        ];
        out[i + nx * (j + ny * k)] = Number(b.data[x + b.dims[0]! * (y + b.dims[1]! * z)]);
      }
  return out;
}

/** Number of voxels where `actual` and `expected` differ (asserting per voxel would be slow). */
function differences(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let count = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) count++;
  return count;
}

test('organ names map to SNOMED CT codes with laterality modifiers', () => {
  assert.equal(organProperty('liver')?.type.code, '10200004');
  const right = organProperty('kidney_right')!;
  assert.equal(right.type.code, '64033007');
  assert.equal(right.modifier?.meaning, 'Right');
  assert.equal(organProperty('Left Adrenal Gland')?.modifier?.code, '7771000');
  assert.equal(organProperty('IVC')?.type.meaning, 'Inferior vena cava');
  assert.equal(organProperty('portal vein and splenic vein')?.type.code, '32764006');
  assert.equal(organProperty('bladder')?.type.code, '89837001');
  assert.equal(organProperty('brain tumour'), undefined);
});

test('liver.dcm matches the label map it was made from (liver_seg.nrrd)', {
  skip: sharedDataSkip(),
}, async () => {
  const ct = await readDicomSeries(segmentations('ct-3slice'));
  const seg = await readDicomSeg(segmentations('liver.dcm'), { grid: ct });
  assert.deepEqual(
    seg.segments.map((s) => [s.number, s.label, s.property?.type.meaning]),
    [[1, 'Liver', 'Liver']],
  );
  assert.equal(seg.referencedSeriesUid, ct.source?.header?.seriesInstanceUid);
  const nrrd = await readNrrd(segmentations('liver_seg.nrrd'));
  const expected = resampleExact(seg.labelMap, nrrd);
  assert.equal(differences(seg.labelMap.data, expected), 0);
  assert.equal(
    expected.reduce((n, v) => n + (v ? 1 : 0), 0),
    107098,
  );
  // Without a grid, the SEG's own frames span the same planes.
  const own = await readDicomSeg(segmentations('liver.dcm'));
  assert.deepEqual(own.labelMap.data, seg.labelMap.data);
});

test('partially overlapping segments: higher numbers win and overlaps are counted', {
  skip: sharedDataSkip(),
}, async () => {
  const seg = await readDicomSeg(segmentations('partial_overlaps.dcm'));
  const parts = await Promise.all(
    [1, 2, 3].map((n) => readNrrd(segmentations(`partial_overlaps-${n}.nrrd`))),
  );
  const sampled = parts.map((p) => resampleExact(seg.labelMap, p));
  let overlaps = 0;
  const expected = new Float64Array(seg.labelMap.data.length);
  for (let i = 0; i < expected.length; i++) {
    const values = sampled.map((s) => s[i]!).filter((v) => v > 0);
    expected[i] = values.length ? Math.max(...values) : 0;
    if (values.length > 1) overlaps += values.length - 1;
  }
  assert.equal(differences(seg.labelMap.data, expected), 0);
  assert.ok(overlaps > 0);
  assert.equal(seg.overlaps, overlaps);
});

test('label-map SEGs (with and without a padding value) and the 23×38×3 SEG read', {
  skip: sharedDataSkip(),
}, async () => {
  for (const [file, nrrd] of [
    ['sparse-labelmap-noppv.dcm', 'sparse_labelmap_noppv_seg.nrrd'],
    ['sparse-labelmap-ppv5.dcm', 'sparse_labelmap_ppv5_seg.nrrd'],
  ] as const) {
    const seg = await readDicomSeg(segmentations(file));
    const expected = resampleExact(seg.labelMap, await readNrrd(segmentations(nrrd)));
    // Voxels at the padding value (5) belong to no segment.
    const unpadded = expected.map((v) => (v === 5 ? 0 : v));
    assert.equal(differences(seg.labelMap.data, unpadded), 0, file);
  }
  const image = await readDicomSeries(segmentations('23x38x3', 'image'));
  const seg = await readDicomSeg(segmentations('23x38x3', 'seg', 'label.seg'), { grid: image });
  const expected = resampleExact(
    seg.labelMap,
    await readNrrd(segmentations('23x38x3', 'nrrd', 'label.nrrd')),
  );
  assert.equal(differences(seg.labelMap.data, expected), 0);
});

test('a SEG written on the ct-3slice series reads back voxel for voxel', {
  skip: sharedDataSkip(),
}, async () => {
  const ct = await readDicomSeries(segmentations('ct-3slice'));
  const [nx, ny] = ct.dims as [number, number];
  const labels = new Uint8Array(ct.data.length);
  for (let i = 0; i < labels.length; i++) {
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / nx / ny);
    if ((x - 200) ** 2 + (y - 300) ** 2 < 900) labels[i] = 6; // liver, on every slice
    if (z > 0 && x > 300 && x < 350 && y < 100) labels[i] = 2; // right kidney, slices 2 and 3
    if (z === 2 && x < 10) labels[i] = 9; // a structure without a code, one slice
  }
  const labelMap: Volume = { ...ct, data: labels, datatype: 'uint8' };
  const path = join(root, 'roundtrip.dcm');
  const segments = [
    { label: 6, name: 'liver' },
    { label: 2, name: 'right kidney' },
    { label: 9, name: 'catheter', snomed: { code: '19923001', scheme: 'SCT', meaning: 'Catheter' } },
  ];
  await writeDicomSeg(path, labelMap, segmentations('ct-3slice'), segments);
  const back = await readDicomSeg(path, { grid: ct });
  // Segment numbers are 1, 2, 3 in the order given; map them back to the label values.
  const labelOf = [0, 6, 2, 9];
  assert.equal(
    differences(
      back.labelMap.data.map((v) => labelOf[v]!),
      labels,
    ),
    0,
  );
  assert.deepEqual(
    back.segments.map((s) => [s.label, s.property?.type.code, s.property?.modifier?.meaning]),
    [
      ['liver', '10200004', undefined],
      ['right kidney', '64033007', 'Right'],
      ['catheter', '19923001', undefined],
    ],
  );
  assert.equal(back.referencedSeriesUid, ct.source?.header?.seriesInstanceUid);
  // An independent check of the IOD when dicom3tools is installed (Debian package dicom3tools).
  const verify = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  if (!verify.error) {
    const output = `${verify.stdout}${verify.stderr}`;
    assert.match(output, /Segmentation/);
    assert.doesNotMatch(output, /^Error/m, output);
  }
  // Existing outputs are refused without force.
  await assert.rejects(writeDicomSeg(path, labelMap, segmentations('ct-3slice'), segments), /output exists/);
});

test('writeDicomSeg refuses a label map off the reference grid and leaves nothing behind', async () => {
  const volume: Volume = {
    data: new Int16Array(4 * 3 * 2),
    dims: [4, 3, 2],
    spacing: [1, 1, 2],
    affine: [
      [-1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 2, 0],
      [0, 0, 0, 1],
    ],
    datatype: 'int16',
  };
  const series = join(root, 'grid-series');
  writeDicomSeries(series, volume);
  const shifted: Volume = {
    ...volume,
    data: new Uint8Array(24).fill(1),
    affine: volume.affine.map((r) => [...r]),
  };
  shifted.affine[0]![3] = 0.5;
  const out = join(root, 'off-grid.dcm');
  await assert.rejects(
    writeDicomSeg(out, shifted, series, [{ label: 1, name: 'liver' }]),
    /not on this series' grid/,
  );
  await assert.rejects(
    writeDicomSeg(out, { ...volume, data: new Uint8Array(24) }, series, [{ label: 1, name: 'liver' }]),
    /contains none of the segments/,
  );
  assert.equal(existsSync(out), false);
  assert.deepEqual(
    readdirSync(root).filter((f) => f.includes('off-grid')),
    [],
  );
});

test('readDicomSeg names the file when it is not a segmentation', async () => {
  const dir = join(root, 'not-seg');
  const [first] = writeDicomSeries(dir, {
    data: new Int16Array(8),
    dims: [2, 2, 2],
    spacing: [1, 1, 1],
    affine: [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    datatype: 'int16',
  });
  await assert.rejects(
    readDicomSeg(first!),
    new RegExp(
      `${first}: not a DICOM Segmentation \\(SOP class 1\\.2\\.840\\.10008\\.5\\.1\\.4\\.1\\.1\\.2\\)`,
    ),
  );
  const text = join(root, 'x.dcm');
  writeFileSync(text, 'hello');
  await assert.rejects(readDicomSeg(text), /x\.dcm: not a DICOM file/);
});
