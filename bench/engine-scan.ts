// Whole-scan inference cost: a synthetic 512×512×300 CT (0.8 × 0.8 × 1.5 mm, an abdomen-sized
// ellipse of soft tissue in air) segmented at a 1.5 mm plan — the 2D U-Net through the product's
// own `segmentVolume` (preprocessing, sliding windows of the case's patch — the real-CT 2D plan's
// 192×160, the 3D U-Net's 64×64×32 —, probabilities mapped back onto the 512×512×300 grid).
// Untrained weights: the network's cost does not depend on them; mapping the probabilities back
// does (segment.ts resamples each organ only where it can win the argmax, and an untrained network
// spreads every class over the whole body), so this is the slow case of that step. Only the body's
// box is tiled (infer/body-box.ts). Prints time and peak RSS.

import type { SegmentationModelInfo } from '../src/infer/model-description.js';
import { segmentVolume } from '../src/infer/segment.js';
import { buildSegmentationNetwork } from '../src/nn/segmentation-network.js';
import type { Volume } from '../src/volume/volume.js';
import { networkSpecs } from './engine-networks.js';

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
  const config = {
    arch: spec.family as 'unet2d' | 'unet3d',
    inChannels: 1,
    classes: spec.classes,
    widths: spec.widths!,
    attention: spec.tags > 0 ? { tags: spec.tags, embedDim: 64, tau: 0.1 } : undefined,
  };
  // The model description's window is [x, y, z]; spec.size is the tensor's [(D,) H, W].
  const [w, h, d] = [...spec.size].reverse() as [number, number, number | undefined];
  const info: SegmentationModelInfo = {
    format: 'mosmos-segmentation-model',
    network: config,
    preprocess,
    orientation: 'RAS',
    window: [w, h, d ?? 1],
    labels: {},
    weights: '',
  };
  const model = { info, network: buildSegmentationNetwork(config), runDir: '' };
  segmentVolume(ct, model, { batchSize: 4, onProgress: (_, total) => void (windows = total) });
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
