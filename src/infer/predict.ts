/**
 * Class probabilities of a segmentation network over a whole preprocessed volume: sliding windows
 * (2D networks: axial slices cut into in-plane windows; UNETR: 3D windows of its ViT image size),
 * softmax per window (or one sigmoid per output for region models, BraTS), Gaussian-weighted
 * averaging, and optional mirroring test-time augmentation. Only the body's box is tiled (body-box.ts):
 * voxels outside it are background (region models: no region).
 * Mirroring runs along y and z only, never x: training never mirrors x (left and right organs have
 * different labels), so an x-mirrored input would swap them.
 */
import { noGrad, sigmoid, softmax, tensor, tidy } from '../engine/index.js';
import { type SegmentationNetwork, segmentationLogits } from '../nn/segmentation-network.js';
import { UNet2d } from '../nn/unet2d.js';
import { bodyBox } from './body-box.js';
import { slidingWindowInference } from './sliding-window.js';

export interface PredictOptions {
  /** Window [x, y, z] on the preprocessed grid (z = 1 for the 2D U-Net). */
  window: [number, number, number];
  /** Output channels: classes (softmax) or regions (sigmoid). */
  classes: number;
  /** Input channels stacked channel-major in the image (default 1). */
  channels?: number;
  /** 'softmax' over classes (default) or 'sigmoid' per region. */
  activation?: OutputActivation;
  overlap?: number;
  /** Windows per network call. */
  batchSize?: number;
  /** Mirroring test-time augmentation (average over y/z mirror images). */
  tta?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Mirrors `count` blocks of [channels, z, y, x] along y and/or z (a new array). */
export function mirrorBlocks(
  data: Float32Array,
  count: number,
  window: readonly [number, number, number],
  flipY: boolean,
  flipZ: boolean,
): Float32Array {
  const [wx, wy, wz] = window;
  const out = new Float32Array(data.length);
  const planes = data.length / (wx * wy * wz) / count;
  for (let b = 0; b < count * planes; b++)
    for (let z = 0; z < wz; z++)
      for (let y = 0; y < wy; y++) {
        const src = ((b * wz + (flipZ ? wz - 1 - z : z)) * wy + (flipY ? wy - 1 - y : y)) * wx;
        out.set(data.subarray(src, src + wx), ((b * wz + z) * wy + y) * wx);
      }
  return out;
}

export type OutputActivation = 'softmax' | 'sigmoid';

/** Probabilities [count, outputs, z, y, x] of `count` windows [count, channels, z, y, x]. */
export function predictWindows(
  network: SegmentationNetwork,
  windows: Float32Array,
  count: number,
  window: readonly [number, number, number],
  channels = 1,
  activation: OutputActivation = 'softmax',
): Float32Array {
  const [wx, wy, wz] = window;
  if (network instanceof UNet2d && wz !== 1) throw new Error('2D networks take windows of depth 1');
  const shape = network instanceof UNet2d ? [count, channels, wy, wx] : [count, channels, wz, wy, wx];
  return noGrad(() =>
    tidy(() => {
      const logits = segmentationLogits(network, tensor(windows, shape));
      return (activation === 'sigmoid' ? sigmoid(logits) : softmax(logits, 1)).toFloat32Array();
    }),
  );
}

/**
 * Probabilities [classes, nz, ny, nx] (channel slowest) of a preprocessed volume (x fastest).
 * @example const probs = predictVolume(net, prepared.data, prepared.dims, { window: [64, 64, 1], classes: 14 });
 */
export function predictVolume(
  network: SegmentationNetwork,
  image: Float32Array,
  dims: readonly [number, number, number],
  options: PredictOptions,
): Float32Array {
  const window = options.window;
  const flips: [boolean, boolean][] = options.tta
    ? window[2] > 1
      ? [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ]
      : [
          [false, false],
          [true, false],
        ]
    : [[false, false]];
  const channels = options.channels ?? 1;
  const sigmoidOutputs = options.activation === 'sigmoid';
  return slidingWindowInference(image, dims, {
    window,
    // Only the body is tiled; outside it every class but background (or every region) is 0.
    region: bodyBox(image, dims, channels) ?? undefined,
    uncovered: Array.from({ length: options.classes }, (_, c) => (c === 0 && !sigmoidOutputs ? 1 : 0)),
    overlap: options.overlap ?? 0.5,
    classes: options.classes,
    channels,
    batchSize: options.batchSize ?? 4,
    onProgress: options.onProgress,
    predict: (windows, count) => {
      let sum: Float32Array | null = null;
      for (const [fy, fz] of flips) {
        const input = fy || fz ? mirrorBlocks(windows, count, window, fy, fz) : windows;
        let probs = predictWindows(network, input, count, window, options.channels, options.activation);
        if (fy || fz) probs = mirrorBlocks(probs, count, window, fy, fz);
        if (sum === null) sum = probs;
        else for (let i = 0; i < sum.length; i++) sum[i]! += probs[i]!;
      }
      const out = sum!;
      if (flips.length > 1) for (let i = 0; i < out.length; i++) out[i]! /= flips.length;
      return out;
    },
  });
}

/** Argmax over classes of [classes, voxels] probabilities → uint8 labels. */
export function argmaxClasses(probs: Float32Array, classes: number): Uint8Array {
  const voxels = probs.length / classes;
  const labels = new Uint8Array(voxels);
  const best = probs.slice(0, voxels);
  for (let c = 1; c < classes; c++) {
    const base = c * voxels;
    for (let i = 0; i < voxels; i++)
      if (probs[base + i]! > best[i]!) {
        best[i] = probs[base + i]!;
        labels[i] = c;
      }
  }
  return labels;
}
