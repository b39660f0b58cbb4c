// Whole-scan inference cost: a synthetic 512×512×300 CT (0.8 × 0.8 × 1.5 mm, an abdomen-sized
// ellipse of soft tissue in air) segmented at a 1.5 mm plan — the 2D U-Net through the product's
// own `segmentVolume` (preprocessing, sliding windows of the bench's real-CT patch, probabilities
// mapped back onto the 512×512×300 grid), the 3D U-Net through the same sliding-window inference
// with 64³ windows. Untrained weights: the cost does not depend on them. Prints time and peak RSS.

import { preprocessVolume } from '../src/data/preprocess.js';
import { noGrad, softmax, tensor, tidy } from '../src/engine/index.js';
import type { SegmentationModelInfo } from '../src/infer/model-description.js';
import { segmentVolume } from '../src/infer/segment.js';
import { slidingWindowInference } from '../src/infer/sliding-window.js';
import { buildSegmentationNetwork } from '../src/nn/segmentation-network.js';
import type { Volume } from '../src/volume/volume.js';
import { networkSpecs } from './engine-networks.js';
import { ResidualUNet3d } from './engine-unet3d.js';

const SCAN_DIMS = [512, 512, 300] as const;
/**
 * `--scan-slices N` (bench/engine.ts passes it as BENCH_SCAN_SLICES) segments only N of the 300
 * slices and also reports the time scaled to 300 — for machines where the whole scan takes too long
 * to measure; the peak RSS is then that of the smaller volume.
 */
function scanSlices(): number {
  const n = Number(process.env.BENCH_SCAN_SLICES ?? SCAN_DIMS[2]);
  return Number.isInteger(n) && n > 0 && n <= SCAN_DIMS[2] ? n : SCAN_DIMS[2];
}
const SCAN_SPACING: [number, number, number] = [0.8, 0.8, 1.5];
const PLAN_SPACING: [number, number, number] = [1.5, 1.5, 1.5];

function syntheticCt(): Volume<Int16Array> {
  const [nx, ny] = SCAN_DIMS;
  const nz = scanSlices();
  const data = new Int16Array(nx * ny * nz).fill(-1000);
  let state = 12345;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const u = (x - nx / 2) / (nx * 0.42);
        const v = (y - ny / 2) / (ny * 0.32);
        if (u * u + v * v < 1) {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          data[(z * ny + y) * nx + x] = 40 + ((state >>> 24) - 128) / 4;
        }
      }
  const affine = [
    [-SCAN_SPACING[0], 0, 0, 0],
    [0, -SCAN_SPACING[1], 0, 0],
    [0, 0, SCAN_SPACING[2], 0],
    [0, 0, 0, 1],
  ];
  return { data, dims: [nx, ny, nz], spacing: SCAN_SPACING, affine, datatype: 'int16' };
}

export async function scanCase(network: 'unet2d_ct' | 'unet3d'): Promise<Record<string, unknown>> {
  const ct = syntheticCt();
  const spec = networkSpecs[network]!;
  const preprocess = { spacing: PLAN_SPACING, intensity: { kind: 'ct' as const, min: -175, max: 250 } };
  const start = performance.now();
  let windows = 0;
  if (network === 'unet2d_ct') {
    const config = {
      arch: 'unet2d' as const,
      inChannels: 1,
      classes: spec.classes,
      widths: spec.widths!,
      attention: { tags: spec.tags, embedDim: 64, tau: 0.1 },
    };
    const info: SegmentationModelInfo = {
      format: 'mosmos-segmentation-model',
      network: config,
      preprocess,
      orientation: 'RAS',
      window: [spec.size[1]!, spec.size[0]!, 1],
      labels: {},
      weights: '',
    };
    const model = { info, network: buildSegmentationNetwork(config), runDir: '' };
    segmentVolume(ct, model, { batchSize: 4, onProgress: (_, total) => void (windows = total) });
  } else {
    const net = new ResidualUNet3d(1, spec.widths!, spec.classes);
    const prepared = preprocessVolume(ct, preprocess);
    const window = spec.size as [number, number, number];
    slidingWindowInference(prepared.data, prepared.dims, {
      window,
      classes: spec.classes,
      batchSize: 1,
      onProgress: (_, total) => void (windows = total),
      predict: (values, count) =>
        noGrad(() =>
          tidy(() => softmax(net.forward(tensor(values, [count, 1, ...window]))[0]!, 1).toFloat32Array()),
        ),
    });
  }
  const seconds = (performance.now() - start) / 1000;
  const slices = scanSlices();
  return {
    scan: [SCAN_DIMS[0], SCAN_DIMS[1], slices].join('x'),
    plan_spacing_mm: PLAN_SPACING,
    windows,
    seconds: Math.round(seconds * 10) / 10,
    ms: Math.round(seconds * 1000),
    ...(slices < SCAN_DIMS[2]
      ? { seconds_scaled_to_300_slices: Math.round((seconds * SCAN_DIMS[2]) / slices) }
      : {}),
  };
}
