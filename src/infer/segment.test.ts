import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seed } from '../engine/index.js';
import { UNet2d } from '../nn/unet2d.js';
import { orientationCode, reorientToRas } from '../volume/orientation.js';
import type { Volume } from '../volume/volume.js';
import type { SegmentationModelInfo } from './model-description.js';
import { organStatistics } from './organ-statistics.js';
import { probabilitiesToGrid, segmentVolume } from './segment.js';

/** An oblique LPS-like grid with permuted axes: i runs along y, j along −x, k along −z (5° tilt). */
function obliqueVolume(): Volume<Int16Array> {
  const dims = [7, 6, 5];
  const t = (5 * Math.PI) / 180;
  const [si, sj, sk] = [2, 3, 4];
  const affine = [
    [-Math.sin(t) * si, -Math.cos(t) * sj, 0, 31.5],
    [Math.cos(t) * si, -Math.sin(t) * sj, 0, -12.25],
    [0, 0, -sk, 40],
    [0, 0, 0, 1],
  ];
  const data = new Int16Array(7 * 6 * 5);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 400) - 200;
  return { data, dims, spacing: [si, sj, sk], affine, datatype: 'int16', source: { format: 'synthetic' } };
}

test('probabilities on the RAS grid map back to exactly the input grid and labels', () => {
  const input = obliqueVolume();
  assert.notEqual(orientationCode(input.affine), 'RAS');
  // Labels on the input grid → one-hot on the RAS grid (same spacing, so the grids share voxel centres).
  const labels = Uint8Array.from(input.data, (v) => (v > 100 ? 2 : v > -50 ? 1 : 0));
  const ras = reorientToRas({ ...input, data: labels, datatype: 'uint8' });
  const n = labels.length;
  const probs = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) probs[ras.data[i]! * n + i] = 1;
  const back = probabilitiesToGrid(
    probs,
    3,
    { dims: ras.dims as [number, number, number], affine: ras.affine },
    input,
  );
  assert.deepEqual([...back], [...labels]);
});

test('segmentVolume returns a uint8 map with the input dims and affine, value for value', () => {
  seed(3);
  const input = obliqueVolume();
  const info: SegmentationModelInfo = {
    format: 'mosmos-segmentation-model',
    network: { arch: 'unet2d', inChannels: 1, classes: 3, widths: [4, 8] },
    // A different spacing, so resampling really happens both ways.
    preprocess: { spacing: [2.5, 1.5, 3], intensity: { kind: 'ct', min: -200, max: 200 } },
    orientation: 'RAS',
    window: [8, 8, 1],
    labels: { '0': 'background', '1': 'a', '2': 'b' },
    weights: 'none',
  };
  const network = new UNet2d(info.network as ConstructorParameters<typeof UNet2d>[0]);
  const seg = segmentVolume(input, { info, network, runDir: '' }, { tta: true, postprocess: 'lcc' });
  assert.deepEqual(seg.dims, input.dims);
  assert.deepEqual(seg.affine, input.affine);
  assert.equal(seg.datatype, 'uint8');
  assert.equal(seg.data.length, input.data.length);
  assert.ok(seg.data.every((v) => v <= 2));
  const stats = organStatistics(seg, input, info.labels);
  const voxels = stats.reduce((s, o) => s + o.voxels, 0);
  assert.equal(
    voxels,
    seg.data.reduce((s, v) => s + (v ? 1 : 0), 0),
  );
  // Voxel volume is |det| of the affine = 2·3·4 mm³ = 0.024 mL (rotation keeps it).
  for (const o of stats) assert.ok(Math.abs(o.volumeMl - o.voxels * 0.024) < 1e-9);
});
