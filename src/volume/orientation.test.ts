import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { InputError } from '../errors.js';
import { readNifti } from '../io/nifti/index.js';
import { multiply4 } from './matrix.js';
import { orientationCode, parseOrientationCode, reorient, reorientLike } from './orientation.js';
import type { Matrix4, Volume } from './volume.js';

/** All 48 codes: every permutation of the three world axes, each either sign. */
function allCodes(): string[] {
  const letters = [
    ['L', 'R'],
    ['P', 'A'],
    ['I', 'S'],
  ];
  const perms = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const codes: string[] = [];
  for (const p of perms)
    for (let s = 0; s < 8; s++) codes.push(p.map((a, i) => letters[a]![(s >> i) & 1]).join(''));
  return codes;
}

/** An affine whose axes point along `code`, slightly rotated (5°) so the code is not read off signs alone. */
function affineFor(code: string): Matrix4 {
  const axes = parseOrientationCode(code);
  const m: Matrix4 = [
    [0, 0, 0, 12],
    [0, 0, 0, -7],
    [0, 0, 0, 30],
    [0, 0, 0, 1],
  ];
  axes.forEach(({ axis, sign }, j) => {
    m[axis]![j] = sign * (1 + j * 0.5);
  });
  const t = (5 * Math.PI) / 180;
  const rotation: Matrix4 = [
    [Math.cos(t), -Math.sin(t), 0, 0],
    [Math.sin(t), Math.cos(t), 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  return multiply4(rotation, m);
}

function world(affine: Matrix4, i: number, j: number, k: number): number[] {
  return [0, 1, 2].map((r) => affine[r]![0]! * i + affine[r]![1]! * j + affine[r]![2]! * k + affine[r]![3]!);
}

function testVolume(code: string): Volume {
  const dims = [4, 3, 5, 2];
  const data = new Float32Array(120).map((_, i) => i);
  return { data, dims, spacing: [1, 1.5, 2], affine: affineFor(code), datatype: 'float32' };
}

describe('orientation codes', () => {
  test('orientationCode recognises all 48 codes, also rotated by 5°', () => {
    for (const code of allCodes()) assert.equal(orientationCode(affineFor(code)), code);
  });

  test('bad codes are input errors', () => {
    for (const bad of ['RAR', 'XYZ', 'RA', 'RASS', 'LRA'])
      assert.throws(() => parseOrientationCode(bad), InputError);
  });
});

describe('reorient', () => {
  test('to every code and back: voxels keep their world position and value, inverse is exact', () => {
    const volume = testVolume('LIA');
    const [nx, ny, nz] = volume.dims as [number, number, number];
    for (const code of allCodes()) {
      const out = reorient(volume, code);
      assert.equal(orientationCode(out.affine), code);
      assert.equal(out.dims[3], 2, 'channels stay last');
      // Every voxel of `out` must carry the value of the input voxel at the same world point.
      const [ox, oy] = out.dims as [number, number];
      for (let o = 0; o < out.data.length / 2; o++) {
        const x = o % ox;
        const y = Math.floor(o / ox) % oy;
        const z = Math.floor(o / (ox * oy));
        const value = out.data[o]!;
        const i = value % nx;
        const j = Math.floor(value / nx) % ny;
        const k = Math.floor(value / (nx * ny)) % nz;
        const a = world(out.affine, x, y, z);
        const b = world(volume.affine, i, j, k);
        // Integer voxel positions through affines with entries ≤ 30: float64 rounding only.
        for (let r = 0; r < 3; r++) assert.ok(Math.abs(a[r]! - b[r]!) < 1e-9, `${code} voxel ${o}`);
        assert.equal(out.data[o + out.data.length / 2], value + 60, 'second channel moves with the first');
      }
      const back = reorientLike(out, volume);
      assert.deepEqual(back.dims, volume.dims);
      assert.deepEqual(Array.from(back.data), Array.from(volume.data));
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) assert.ok(Math.abs(back.affine[r]![c]! - volume.affine[r]![c]!) < 1e-9);
      }
    }
  });

  test('every file in shared/data/orientation equals RAS.nii.gz after reorientation to RAS', {
    skip: sharedDataSkip(),
  }, async () => {
    const dir = sharedData('orientation');
    const ras = await readNifti(`${dir}/RAS.nii.gz`);
    const files = readdirSync(dir).filter((f) => f.endsWith('.nii.gz'));
    assert.equal(files.length, 48);
    for (const file of files) {
      const volume = await readNifti(`${dir}/${file}`);
      assert.equal(orientationCode(volume.affine), file.slice(0, 3));
      const out = reorient(volume, 'RAS');
      assert.deepEqual(out.dims, ras.dims, file);
      assert.ok(
        out.data.every((v, i) => v === ras.data[i]),
        `${file}: voxels differ`,
      );
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          assert.ok(Math.abs(out.affine[r]![c]! - ras.affine[r]![c]!) < 1e-4, `${file} affine[${r}][${c}]`);
        }
      }
    }
  });
});
