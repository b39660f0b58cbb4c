/**
 * Sliding-window inference over a whole volume (as MONAI's `sliding_window_inference` and nnU-Net's
 * predictor): windows of the training patch size tile the volume with a given overlap, each
 * window's class probabilities are weighted by a Gaussian importance map (σ = 1/8 of the window per
 * axis, so window centres, where the network saw the most context, count most) and accumulated; the
 * result is the weighted average. Memory: the accumulator holds classes × voxels float32 plus one
 * float32 weight per voxel, and only one batch of windows exists at a time.
 *
 * @example
 * const probs = slidingWindowInference(image, [nx, ny, nz], {
 *   window: [96, 96, 1], overlap: 0.5, classes: 14, predict: (windows, n) => net(windows, n) });
 */

import type { VoxelBox } from '../volume/crop.js';

export interface SlidingWindowOptions {
  /** Window size [x, y, z] in voxels; z = 1 gives axial slices for a 2D network. */
  window: readonly [number, number, number];
  /** Fraction of a window shared with its neighbour, in [0, 1); default 0.5. */
  overlap?: number;
  /** Number of channels `predict` returns per voxel. */
  classes: number;
  /** Input channels stacked channel-major in `image` (default 1). */
  channels?: number;
  /** Windows per `predict` call (default 4). */
  batchSize?: number;
  /** 'gaussian' (default) or 'constant' (plain average). */
  weighting?: 'gaussian' | 'constant';
  /** σ as a fraction of the window size (default 1/8, as nnU-Net and MONAI). */
  sigmaScale?: number;
  /**
   * Value of voxels outside the volume when a window is larger than the volume (default: the
   * minimum, per input channel).
   */
  fill?: number;
  /**
   * windows [count, channels, z, y, x] (x fastest) → per-class values [count, classes, z, y, x], e.g.
   * softmax probabilities.
   */
  predict: (windows: Float32Array, count: number) => Float32Array;
  /**
   * Tile only this box of the volume (the body: nnU-Net predicts inside the nonzero crop). Windows
   * still read the image around it; voxels that no window covers get `uncovered`.
   */
  region?: VoxelBox;
  /** Per-class values of voxels outside every window (default: class 0 = 1, others 0). */
  uncovered?: readonly number[];
  /** Called after each batch with windows done and total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Window start positions along an axis of `size` voxels: evenly spaced with step
 * ⌊window·(1 − overlap)⌋ (at least 1), the last one flush with the end; a window larger than the axis
 * gets one start, centred (negative: the window reaches outside on both sides).
 */
export function windowStarts(size: number, window: number, overlap: number): number[] {
  if (window >= size) return [Math.floor((size - window) / 2)];
  const step = Math.max(1, Math.floor(window * (1 - overlap)));
  const starts: number[] = [];
  for (let s = 0; s + window < size; s += step) starts.push(s);
  starts.push(size - window);
  return starts;
}

/**
 * The importance map of a window, x fastest: Π_axes exp(−(i − c)² / 2σ²) with c the window centre and
 * σ = sigmaScale · window size, scaled to a maximum of 1. An axis of size 1 has weight 1.
 */
export function gaussianImportanceMap(
  window: readonly [number, number, number],
  sigmaScale = 1 / 8,
): Float32Array {
  const axis = (n: number) => {
    const w = new Float64Array(n);
    const c = (n - 1) / 2;
    const sigma = sigmaScale * n;
    for (let i = 0; i < n; i++) w[i] = n === 1 ? 1 : Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
    const peak = Math.max(...w);
    for (let i = 0; i < n; i++) w[i]! /= peak;
    return w;
  };
  const [gx, gy, gz] = window.map(axis) as [Float64Array, Float64Array, Float64Array];
  const out = new Float32Array(window[0] * window[1] * window[2]);
  let o = 0;
  for (let z = 0; z < window[2]; z++)
    for (let y = 0; y < window[1]; y++)
      for (let x = 0; x < window[0]; x++) out[o++] = gz[z]! * gy[y]! * gx[x]!;
  // nnU-Net keeps every weight strictly positive so border voxels covered only by window edges stay defined.
  let smallest = Number.POSITIVE_INFINITY;
  for (const v of out) if (v > 0 && v < smallest) smallest = v;
  for (let i = 0; i < out.length; i++) if (!(out[i]! > 0)) out[i] = smallest;
  return out;
}

/**
 * Runs `predict` over every window of `image` (dims [nx, ny, nz], x fastest, `channels` volumes one
 * after another) and returns the weighted average per class: [classes, nz, ny, nx] (channel
 * slowest), i.e. `classes` consecutive volumes.
 */
export function slidingWindowInference(
  image: Float32Array,
  dims: readonly [number, number, number],
  options: SlidingWindowOptions,
): Float32Array {
  const [nx, ny, nz] = dims;
  const [wx, wy, wz] = options.window;
  const classes = options.classes;
  const overlap = options.overlap ?? 0.5;
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`overlap must be in [0, 1), got ${overlap}`);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 4));
  const voxels = nx * ny * nz;
  const windowVoxels = wx * wy * wz;
  const channels = options.channels ?? 1;
  if (image.length !== channels * voxels)
    throw new RangeError(`image holds ${image.length} values, expected ${channels}×${nx}×${ny}×${nz}`);
  const weights =
    (options.weighting ?? 'gaussian') === 'gaussian'
      ? gaussianImportanceMap(options.window, options.sigmaScale)
      : new Float32Array(windowVoxels).fill(1);
  const fills = Array.from({ length: channels }, (_, c) => {
    if (options.fill !== undefined) return options.fill;
    let fill = Number.POSITIVE_INFINITY;
    for (let i = c * voxels; i < (c + 1) * voxels; i++) if (image[i]! < fill) fill = image[i]!;
    return Number.isFinite(fill) ? fill : 0;
  });
  const region = options.region ?? { start: [0, 0, 0], end: [nx, ny, nz] };
  const axisStarts = (axis: 0 | 1 | 2) =>
    windowStarts(region.end[axis] - region.start[axis], options.window[axis], overlap).map(
      (s) => s + region.start[axis],
    );
  const starts: [number, number, number][] = [];
  for (const z of axisStarts(2))
    for (const y of axisStarts(1)) for (const x of axisStarts(0)) starts.push([x, y, z]);
  const sums = new Float32Array(classes * voxels);
  const weightSum = new Float32Array(voxels);
  const batch = new Float32Array(batchSize * channels * windowVoxels);
  for (let first = 0; first < starts.length; first += batchSize) {
    const count = Math.min(batchSize, starts.length - first);
    for (let b = 0; b < count; b++)
      for (let c = 0; c < channels; c++)
        copyWindow(
          channels === 1 ? image : image.subarray(c * voxels, (c + 1) * voxels),
          dims,
          starts[first + b]!,
          options.window,
          batch,
          (b * channels + c) * windowVoxels,
          fills[c]!,
        );
    const out = options.predict(
      count === batchSize ? batch : batch.subarray(0, count * channels * windowVoxels),
      count,
    );
    if (out.length !== count * classes * windowVoxels)
      throw new Error(`predict returned ${out.length} values, expected ${count}×${classes}×${windowVoxels}`);
    for (let b = 0; b < count; b++) {
      const [x0, y0, z0] = starts[first + b]!;
      for (let z = Math.max(0, -z0); z < wz && z0 + z < nz; z++)
        for (let y = Math.max(0, -y0); y < wy && y0 + y < ny; y++) {
          const xa = Math.max(0, -x0);
          const xb = Math.min(wx, nx - x0);
          const rowW = (z * wy + y) * wx;
          const rowV = ((z0 + z) * ny + y0 + y) * nx + x0;
          for (let x = xa; x < xb; x++) weightSum[rowV + x]! += weights[rowW + x]!;
          for (let c = 0; c < classes; c++) {
            const src = (b * classes + c) * windowVoxels + rowW;
            const dst = c * voxels + rowV;
            for (let x = xa; x < xb; x++) sums[dst + x]! += weights[rowW + x]! * out[src + x]!;
          }
        }
    }
    options.onProgress?.(first + count, starts.length);
  }
  const uncovered = options.uncovered ?? Array.from({ length: classes }, (_, c) => (c === 0 ? 1 : 0));
  for (let c = 0; c < classes; c++) {
    const base = c * voxels;
    const outside = uncovered[c] ?? 0;
    for (let i = 0; i < voxels; i++) {
      const w = weightSum[i]!;
      sums[base + i] = w > 0 ? sums[base + i]! / w : outside;
    }
  }
  return sums;
}

/** Copies the window at `start` into `out` at `offset`, `fill` outside the volume. */
function copyWindow(
  image: Float32Array,
  dims: readonly [number, number, number],
  start: readonly [number, number, number],
  window: readonly [number, number, number],
  out: Float32Array,
  offset: number,
  fill: number,
): void {
  const [nx, ny, nz] = dims;
  const [wx, wy, wz] = window;
  const [x0, y0, z0] = start;
  out.fill(fill, offset, offset + wx * wy * wz);
  const xa = Math.max(0, -x0);
  const xb = Math.min(wx, nx - x0);
  for (let z = 0; z < wz; z++) {
    if (z0 + z < 0 || z0 + z >= nz) continue;
    for (let y = 0; y < wy; y++) {
      if (y0 + y < 0 || y0 + y >= ny) continue;
      const src = ((z0 + z) * ny + y0 + y) * nx + x0;
      out.set(image.subarray(src + xa, src + xb), offset + (z * wy + y) * wx + xa);
    }
  }
}
