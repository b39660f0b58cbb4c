import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orientationCode, reorient } from '../volume/orientation.js';
import { resampleToGrid } from '../volume/resample.js';
import type { Volume } from '../volume/volume.js';
import { probabilitiesToGrid } from './segment.js';

/** Every class resampled over the whole target grid, then the argmax: what the boxes must equal. */
function reference(
  probs: Float32Array,
  classes: number,
  source: { dims: [number, number, number]; affine: number[][] },
  target: Pick<Volume, 'dims' | 'affine'>,
): Uint8Array {
  const voxels = source.dims.reduce((a, b) => a * b, 1);
  const n = target.dims.slice(0, 3).reduce((a, b) => a * b, 1);
  const labels = new Uint8Array(n);
  const best = new Float32Array(n).fill(Number.NEGATIVE_INFINITY);
  for (let c = 0; c < classes; c++) {
    const volume: Volume = {
      data: probs.subarray(c * voxels, (c + 1) * voxels),
      dims: [...source.dims],
      spacing: [1, 1, 1],
      affine: source.affine,
      datatype: 'float32',
    };
    const grid = { dims: target.dims.slice(0, 3), affine: target.affine };
    const on = resampleToGrid(reorient(volume, orientationCode(target.affine)), grid, 'linear', {
      fill: c === 0 ? 1 : 0,
    }).data;
    for (let i = 0; i < n; i++)
      if (on[i]! > best[i]!) {
        best[i] = on[i]!;
        labels[i] = c;
      }
  }
  return labels;
}

test('labels on the input grid equal resampling every class everywhere, for small organs, a flipped finer grid and an oblique one', () => {
  const dims: [number, number, number] = [22, 18, 12];
  const classes = 5;
  const voxels = dims[0] * dims[1] * dims[2];
  // Softmax of logits: background everywhere, four blobs of different sizes (one of a few voxels).
  const blobs = [
    [6, 6, 4, 4],
    [15, 10, 6, 2.5],
    [18, 4, 3, 0.8],
  ];
  const probs = new Float32Array(classes * voxels);
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++) {
        // Sharp blobs for classes 1–3 (one of a few voxels); class 4 only in a slab (x < 4) where it
        // wins with about 0.37 against background and class 3 (a floor at that level would drop it).
        const logits = [
          0,
          ...blobs
            .slice(0, 3)
            .map(([cx, cy, cz, r]) => 4 - ((x - cx!) ** 2 + (y - cy!) ** 2 + (z - cz!) ** 2) / r! ** 2),
          x < 4 ? 0.12 + 0.05 * Math.sin(y * 0.9 + z) : -40,
        ];
        if (x < 4) logits[3] = Math.max(logits[3]!, -0.02);
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const s = e.reduce((a, b) => a + b, 0);
        const i = (z * dims[1] + y) * dims[0] + x;
        e.forEach((v, c) => {
          probs[c * voxels + i] = v / s;
        });
      }
  const source = {
    dims,
    affine: [
      [1.5, 0, 0, -10],
      [0, 1.5, 0, 4],
      [0, 0, 2, -7],
      [0, 0, 0, 1],
    ],
  };
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  const targets: Pick<Volume, 'dims' | 'affine'>[] = [
    // LPS, finer, shifted and reaching beyond the preprocessed field of view.
    {
      dims: [45, 40, 30],
      affine: [
        [-0.8, 0, 0, 25],
        [0, -0.7, 0, 30],
        [0, 0, 0.9, -9],
        [0, 0, 0, 1],
      ],
    },
    // Coarser than the preprocessed grid, at an offset of a fraction of a voxel.
    {
      dims: [14, 12, 9],
      affine: [
        [2.3, 0, 0, -10.7],
        [0, 2.1, 0, 4.4],
        [0, 0, 2.9, -6.2],
        [0, 0, 0, 1],
      ],
    },
    // Oblique: rotated about z.
    {
      dims: [40, 36, 20],
      affine: [
        [0.9 * c, -0.9 * s, 0, -8],
        [0.9 * s, 0.9 * c, 0, 2],
        [0, 0, 1.2, -6],
        [0, 0, 0, 1],
      ],
    },
  ];
  for (const target of targets) {
    const fast = probabilitiesToGrid(probs, classes, source, target);
    const full = reference(probs, classes, source, target);
    const counts = new Array(classes).fill(0);
    for (const v of full) counts[v]++;
    assert.ok(
      counts.every((n) => n > 0),
      `every class painted somewhere: ${counts}`,
    );
    let differ = 0;
    for (let i = 0; i < full.length; i++) if (fast[i] !== full[i]) differ++;
    assert.equal(differ, 0, `${differ} of ${full.length} voxels differ`);
  }
});
