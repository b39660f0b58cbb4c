import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { invertAffine, multiply4 } from './matrix.js';
import { reorient } from './orientation.js';
import { type Grid, gridForSpacing, resampleToGrid, resampleToSpacing } from './resample.js';
import type { Matrix4, Volume } from './volume.js';

const AFFINE: Matrix4 = [
  [-0.8, 0, 0, 50],
  [0, 0, 2.5, -30],
  [0, -0.8, 0, 12],
  [0, 0, 0, 1],
];

/** A volume whose voxel values are a linear function of the voxel index (trilinear interpolation is exact on it). */
function linearVolume(dims: [number, number, number], affine = AFFINE): Volume {
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0, o = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) data[o++] = 2 * x - 3 * y + 5 * z + 1;
  return { data, dims: [...dims], spacing: [0.8, 0.8, 2.5], affine, datatype: 'float32' };
}

/** Slow, obvious trilinear interpolation at one continuous source index (clamped to the edge). */
function referenceSample(volume: Volume, p: number[]): number {
  const [nx, ny, nz] = volume.dims as [number, number, number];
  const c = [
    Math.min(Math.max(p[0]!, 0), nx - 1),
    Math.min(Math.max(p[1]!, 0), ny - 1),
    Math.min(Math.max(p[2]!, 0), nz - 1),
  ];
  const f = c.map(Math.floor);
  let sum = 0;
  for (let dz = 0; dz < 2; dz++) {
    for (let dy = 0; dy < 2; dy++) {
      for (let dx = 0; dx < 2; dx++) {
        const x = Math.min(f[0]! + dx, nx - 1);
        const y = Math.min(f[1]! + dy, ny - 1);
        const z = Math.min(f[2]! + dz, nz - 1);
        const w =
          (dx ? c[0]! - f[0]! : 1 - (c[0]! - f[0]!)) *
          (dy ? c[1]! - f[1]! : 1 - (c[1]! - f[1]!)) *
          (dz ? c[2]! - f[2]! : 1 - (c[2]! - f[2]!));
        sum += w * volume.data[x + nx * (y + ny * z)]!;
      }
    }
  }
  return sum;
}

function rotated(affine: Matrix4, degrees: number): Matrix4 {
  const t = (degrees * Math.PI) / 180;
  const r: Matrix4 = [
    [Math.cos(t), 0, Math.sin(t), 0],
    [0, 1, 0, 0],
    [-Math.sin(t), 0, Math.cos(t), 0],
    [0, 0, 0, 1],
  ];
  return multiply4(r, affine);
}

describe('resampleToGrid', () => {
  test('onto its own grid is the identity, for both modes', () => {
    const volume = linearVolume([7, 6, 5]);
    for (const mode of ['linear', 'nearest'] as const) {
      const out = resampleToGrid(volume, volume, mode);
      assert.deepEqual(Array.from(out.data), Array.from(volume.data));
    }
  });

  test('axis-aligned and oblique grids agree with a slow reference', () => {
    const volume = linearVolume([9, 8, 7]);
    // Non-linear values so interpolation weights matter, not just linearity.
    for (let i = 0; i < volume.data.length; i++) volume.data[i] = Math.sin(i * 0.37) * 100;
    const aligned: Grid = gridForSpacing(volume, [0.55, 1.1, 1.7]);
    const oblique: Grid = { dims: [10, 9, 8], affine: rotated(aligned.affine, 17) };
    // x upsampled (row-blend path), x downsampled (eight-neighbour path), and oblique (per-voxel path).
    const coarse: Grid = gridForSpacing(volume, [1.3, 1.1, 3]);
    for (const grid of [aligned, coarse, oblique]) {
      const out = resampleToGrid(volume, grid, 'linear', { fill: -999 });
      const m = multiply4(invertAffine(volume.affine), grid.affine);
      const [nx, ny, nz] = grid.dims as [number, number, number];
      for (let z = 0, o = 0; z < nz; z++) {
        for (let y = 0; y < ny; y++) {
          for (let x = 0; x < nx; x++, o++) {
            const p = [0, 1, 2].map((r) => m[r]![0]! * x + m[r]![1]! * y + m[r]![2]! * z + m[r]![3]!);
            const inside = p.every((v, a) => v >= -0.5 - 1e-6 && v <= volume.dims[a]! - 0.5 + 1e-6);
            const expected = inside ? referenceSample(volume, p) : -999;
            // float32 output of values up to 100: 1e-4 absolute covers rounding of weights and result.
            assert.ok(Math.abs(out.data[o]! - expected) < 1e-4, `voxel ${o}: ${out.data[o]} vs ${expected}`);
          }
        }
      }
    }
  });

  test('trilinear is exact on a linear function inside the volume', () => {
    const volume = linearVolume([12, 10, 8]);
    const grid = gridForSpacing(volume, [0.5, 0.5, 1]);
    const out = resampleToGrid(volume, grid, 'linear');
    const m = multiply4(invertAffine(volume.affine), grid.affine);
    const [nx, ny, nz] = grid.dims as [number, number, number];
    let checked = 0;
    for (let z = 0, o = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, o++) {
          const p = [0, 1, 2].map((r) => m[r]![0]! * x + m[r]![1]! * y + m[r]![2]! * z + m[r]![3]!);
          if (p.some((v, a) => v < 0 || v > volume.dims[a]! - 1)) continue;
          checked++;
          // Values up to ~50 in float32: 1e-4 absolute.
          assert.ok(Math.abs(out.data[o]! - (2 * p[0]! - 3 * p[1]! + 5 * p[2]! + 1)) < 1e-4);
        }
      }
    }
    assert.ok(checked > 1000);
  });

  test('a reoriented label map resampled onto the original grid is the original, exactly', () => {
    const labels: Volume = { ...linearVolume([9, 7, 6]), datatype: 'uint8' };
    labels.data = Uint8Array.from(labels.data, (v) => Math.abs(v) % 7);
    const moved = reorient(labels, 'SLP');
    const back = resampleToGrid(moved, labels, 'nearest');
    assert.equal(back.datatype, 'uint8');
    assert.deepEqual(Array.from(back.data), Array.from(labels.data));
  });

  test('down to a coarse spacing and back keeps labels where they are large', () => {
    const dims: [number, number, number] = [40, 40, 20];
    const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
    for (let z = 0, o = 0; z < dims[2]; z++)
      for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++, o++) data[o] = x < 20 ? 1 : 2;
    const volume: Volume = {
      data,
      dims: [...dims],
      spacing: [1, 1, 1],
      affine: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
      datatype: 'uint8',
    };
    const coarse = resampleToSpacing(volume, [2, 2, 2], 'nearest');
    assert.deepEqual(coarse.dims, [20, 20, 10]);
    assert.deepEqual(coarse.spacing, [2, 2, 2]);
    const back = resampleToGrid(coarse, volume, 'nearest');
    assert.deepEqual(back.dims, dims);
    let wrong = 0;
    for (let i = 0; i < data.length; i++) if (back.data[i] !== data[i]) wrong++;
    // Only voxels within one coarse voxel of the boundary x = 20 may flip: at most 1 of 40 columns.
    assert.ok(wrong <= data.length / 40, `${wrong} voxels changed`);
  });

  test('label-linear: identity on its own grid, smooth boundaries when upsampled', () => {
    const dims: [number, number, number] = [6, 6, 3];
    const data = new Uint8Array(108);
    for (let z = 0, o = 0; z < 3; z++)
      for (let y = 0; y < 6; y++)
        for (let x = 0; x < 6; x++, o++) data[o] = (x - 2.5) ** 2 + (y - 2.5) ** 2 < 5 ? 3 : 0;
    const volume: Volume = {
      data,
      dims: [...dims],
      spacing: [1, 1, 1],
      affine: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
      datatype: 'uint8',
    };
    assert.deepEqual(Array.from(resampleToGrid(volume, volume, 'label-linear').data), Array.from(data));
    const fine = resampleToSpacing(volume, [0.25, 0.25, 1], 'label-linear');
    const nearest = resampleToSpacing(volume, [0.25, 0.25, 1], 'nearest');
    assert.equal(fine.datatype, 'uint8');
    assert.deepEqual(new Set(fine.data), new Set([0, 3]));
    // The disc of radius √5 ≈ 2.24 voxels: its area from the smooth map is closer to π·5 than the blocky one's.
    const area = (v: Volume) => Array.from(v.data.subarray(0, 24 * 24)).filter((l) => l === 3).length / 16;
    assert.ok(Math.abs(area(fine) - Math.PI * 5) < Math.abs(area(nearest) - Math.PI * 5));
  });

  test('gridForSpacing keeps the field of view centred', () => {
    const volume = linearVolume([10, 9, 7]);
    const grid = gridForSpacing(volume, [1.6, 1.6, 5]);
    assert.deepEqual(grid.dims, [5, 5, 4]);
    const centre = (g: { dims: number[]; affine: Matrix4 }) =>
      [0, 1, 2].map((r) =>
        [0, 1, 2].reduce((s, c) => s + (g.affine[r]![c]! * ((g.dims[c] ?? 1) - 1)) / 2, g.affine[r]![3]!),
      );
    const a = centre(volume);
    const b = centre(grid);
    for (let r = 0; r < 3; r++) assert.ok(Math.abs(a[r]! - b[r]!) < 1e-9);
  });
});
