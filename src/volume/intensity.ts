/** Intensity normalisation: CT windowing, MR z-scores and percentile clipping. */
import type { VoxelArray } from './volume.js';

/**
 * Clips to the window [min, max] (e.g. Hounsfield units) and scales it to [0, 1].
 *
 * @example ctWindow(ct.data, -175, 250) // abdominal soft-tissue window
 */
export function ctWindow(data: VoxelArray, min: number, max: number): Float32Array {
  if (!(max > min)) throw new RangeError(`CT window needs max > min (got ${min}, ${max})`);
  const out = new Float32Array(data.length);
  const scale = 1 / (max - min);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    out[i] = v <= min ? 0 : v >= max ? 1 : (v - min) * scale;
  }
  return out;
}

/**
 * nnU-Net's CTNormalization: clip to [low, high] (the foreground 0.5–99.5 percentiles of the
 * dataset), then (v − mean) / sd with the dataset's foreground mean and sd, so one HU value maps to
 * the same input in every image.
 *
 * @example ctZScore(ct.data, { low: -960, high: 310, mean: 98, sd: 120 })
 */
export function ctZScore(
  data: VoxelArray,
  stats: { low: number; high: number; mean: number; sd: number },
): Float32Array {
  if (!(stats.high >= stats.low))
    throw new RangeError(`CT clip needs high ≥ low (got ${stats.low}, ${stats.high})`);
  const out = new Float32Array(data.length);
  const scale = 1 / Math.max(stats.sd, 1e-8);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const c = Math.min(Math.max(v, stats.low), stats.high);
    out[i] = (c - stats.mean) * scale;
  }
  return out;
}

export interface ZScoreOptions {
  /** Statistics only over voxels where the mask is non-zero (the rest become 0). */
  mask?: Uint8Array;
  /** Statistics only over non-zero voxels (the usual choice for skull-stripped MR); zeros stay 0. */
  nonzero?: boolean;
}

/** (v − mean) / std over the foreground (all voxels by default); std is floored to avoid division by 0. */
export function zScoreNormalize(data: VoxelArray, options: ZScoreOptions = {}): Float32Array {
  const { mask, nonzero = false } = options;
  if (mask && mask.length !== data.length) throw new RangeError('mask and data differ in length');
  const selected = (i: number) => (mask ? mask[i] !== 0 : nonzero ? data[i] !== 0 : true);
  // Two passes in float64: one-pass sums of squares lose precision on 10⁸ voxels.
  let n = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    if (selected(i)) {
      sum += data[i]!;
      n++;
    }
  }
  const out = new Float32Array(data.length);
  if (n === 0) return out;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < data.length; i++) {
    if (selected(i)) {
      const d = data[i]! - mean;
      squares += d * d;
    }
  }
  const std = Math.max(Math.sqrt(squares / n), 1e-8);
  const restrict = mask !== undefined || nonzero;
  for (let i = 0; i < data.length; i++) out[i] = !restrict || selected(i) ? (data[i]! - mean) / std : 0;
  return out;
}

/** Rearranges `a` so a[k] is the k-th smallest and everything before it is ≤ (Floyd–Rivest-style quickselect). */
function select(a: Float32Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1]!;
    // Median-of-three would not change the expected O(n); a middle pivot avoids sorted-input worst cases.
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Percentiles (0–100) with numpy's default linear interpolation between order statistics; NaNs are
 * ignored. O(n) per percentile by selection on one float32 copy.
 */
export function percentiles(data: VoxelArray, qs: number[]): number[] {
  const copy = new Float32Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isNaN(v)) copy[n++] = v;
  }
  const values = copy.subarray(0, n);
  if (n === 0) return qs.map(() => Number.NaN);
  return qs.map((q) => {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile ${q} is outside 0–100`);
    const position = (q / 100) * (n - 1);
    const lower = Math.floor(position);
    const lo = select(values, lower);
    if (position === lower) return lo;
    // The next order statistic is the minimum of everything after `lower` once selected.
    let hi = Number.POSITIVE_INFINITY;
    for (let i = lower + 1; i < n; i++) if (values[i]! < hi) hi = values[i]!;
    return lo + (position - lower) * (hi - lo);
  });
}

/**
 * Clips to the [lower, upper] percentiles (e.g. 0.5 and 99.5 for MR) and, with `scale`, maps that
 * range to [0, 1]. Returns the values used so the same clip can be applied elsewhere.
 */
export function percentileClip(
  data: VoxelArray,
  lower = 0.5,
  upper = 99.5,
  options: { scale?: boolean } = {},
): { data: Float32Array; low: number; high: number } {
  const [low, high] = percentiles(data, [lower, upper]) as [number, number];
  const out = new Float32Array(data.length);
  const range = high - low;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const c = v < low ? low : Math.min(v, high);
    out[i] = options.scale ? (range > 0 ? (c - low) / range : 0) : c;
  }
  return { data: out, low, high };
}
