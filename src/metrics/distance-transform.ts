/**
 * Exact Euclidean distance transform with anisotropic voxel spacing.
 *
 * Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions" (2012): the squared
 * distance separates into one 1D pass per axis, and each 1D pass is the lower envelope of
 * parabolas, so the whole transform is linear in the number of voxels and exact (not a chamfer
 * approximation). Distances are in millimetres when `spacing` is in millimetres.
 */

/** A binary mask: any typed array or number array, nonzero = set. */
export type MaskArray = ArrayLike<number>;

/** Output storage for distances: Float32 halves the memory of a 512×512×300 transform. */
export type DistanceArray = Float32Array | Float64Array;

export interface DistanceTransformOptions {
  /** Return squared distances (no square root): cheaper, and exact for comparisons. */
  squared?: boolean;
  /** Where to write the result (length = voxel count); a Float64Array is allocated otherwise. */
  out?: DistanceArray;
}

/**
 * Distance from every voxel to the nearest voxel where `mask` is set (0 on set voxels, Infinity
 * everywhere when nothing is set). `dims` is [nx, ny, nz] (or shorter for 1D/2D), x fastest.
 * Equivalent to scipy's `distance_transform_edt(mask == 0, sampling=spacing)`.
 *
 * @example
 * const d = euclideanDistanceTransform(surfaceOfGt, [nx, ny, nz], volume.spacing);
 */
export function euclideanDistanceTransform(
  mask: MaskArray,
  dims: readonly number[],
  spacing: readonly number[],
  options: DistanceTransformOptions = {},
): DistanceArray {
  const [nx, ny, nz] = [dims[0] ?? 1, dims[1] ?? 1, dims[2] ?? 1];
  const count = nx * ny * nz;
  if (mask.length < count) throw new RangeError(`mask has ${mask.length} voxels, dims need ${count}`);
  const out = options.out ?? new Float64Array(count);
  if (out.length < count) throw new RangeError(`out has ${out.length} elements, dims need ${count}`);
  const [sx, sy, sz] = [spacing[0] ?? 1, spacing[1] ?? 1, spacing[2] ?? 1];
  if (!(sx > 0 && sy > 0 && sz > 0))
    throw new RangeError(`spacing must be positive, got ${spacing.join(',')}`);

  scanAlongX(mask, out, nx, ny * nz, sx);
  // Lines along y: consecutive x's are adjacent in memory, so they are processed as a block.
  if (ny > 1) envelopePass(out, ny, nx, nx, nz, nx * ny, sy);
  if (nz > 1) envelopePass(out, nz, nx * ny, nx * ny, 1, 0, sz);
  if (!options.squared) for (let i = 0; i < count; i++) out[i] = Math.sqrt(out[i]!);
  return out;
}

/**
 * First pass, along the contiguous x axis: the 1D distance to the nearest set voxel of the row
 * is found with one forward and one backward scan (cheaper than the parabola envelope, and the
 * input here is only 0 or ∞ anyway). Writes squared millimetres.
 */
function scanAlongX(mask: MaskArray, out: DistanceArray, nx: number, rows: number, sx: number): void {
  for (let row = 0; row < rows; row++) {
    const base = row * nx;
    let last = -1;
    for (let i = 0; i < nx; i++) {
      if (mask[base + i] !== 0) last = i;
      if (last < 0) out[base + i] = Number.POSITIVE_INFINITY;
      else {
        const d = (i - last) * sx;
        out[base + i] = d * d;
      }
    }
    last = -1;
    for (let i = nx - 1; i >= 0; i--) {
      if (mask[base + i] !== 0) last = i;
      if (last >= 0) {
        const d = (last - i) * sx;
        if (d * d < out[base + i]!) out[base + i] = d * d;
      }
    }
  }
}

/** How many neighbouring lines are gathered together so that strided reads use whole cache lines. */
const BLOCK = 16;

/**
 * One parabola-envelope pass along an axis of length `n` with element stride `stride`. Lines
 * start at `outer * outerStride + inner` for inner in [0, innerCount); neighbouring inner lines
 * are adjacent in memory, so BLOCK of them are copied into a small contiguous buffer first.
 */
function envelopePass(
  d: DistanceArray,
  n: number,
  stride: number,
  innerCount: number,
  outerCount: number,
  outerStride: number,
  s: number,
): void {
  const lines = new Float64Array(n * BLOCK);
  const result = new Float64Array(n * BLOCK);
  const envelope = { v: new Int32Array(n), z: new Float64Array(n + 1) };
  for (let outer = 0; outer < outerCount; outer++) {
    for (let inner0 = 0; inner0 < innerCount; inner0 += BLOCK) {
      const width = Math.min(BLOCK, innerCount - inner0);
      const base = outer * outerStride + inner0;
      for (let q = 0; q < n; q++) {
        const row = base + q * stride;
        for (let j = 0; j < width; j++) lines[j * n + q] = d[row + j]!;
      }
      for (let j = 0; j < width; j++) lowerEnvelope(lines, result, j * n, n, s, envelope);
      for (let q = 0; q < n; q++) {
        const row = base + q * stride;
        for (let j = 0; j < width; j++) d[row + j] = result[j * n + q]!;
      }
    }
  }
}

/**
 * The 1D squared distance transform of the sampled function f (in `f[offset … offset+n)`):
 * result[p] = min_q f[q] + (s·(p − q))². Positions are in millimetres (index · s), so anisotropic
 * spacing needs no special case. Samples with f = ∞ carry no parabola.
 */
function lowerEnvelope(
  f: Float64Array,
  result: Float64Array,
  offset: number,
  n: number,
  s: number,
  scratch: { v: Int32Array; z: Float64Array },
): void {
  const { v, z } = scratch;
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[offset + q]!;
    if (fq === Number.POSITIVE_INFINITY) continue;
    const xq = q * s;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = Number.NEGATIVE_INFINITY;
      z[1] = Number.POSITIVE_INFINITY;
      continue;
    }
    const hq = fq + xq * xq;
    let sect: number;
    for (;;) {
      const r = v[k]!;
      const xr = r * s;
      sect = (hq - (f[offset + r]! + xr * xr)) / (2 * (xq - xr));
      if (sect > z[k]!) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = sect;
    z[k + 1] = Number.POSITIVE_INFINITY;
  }
  if (k < 0) {
    result.fill(Number.POSITIVE_INFINITY, offset, offset + n);
    return;
  }
  k = 0;
  for (let p = 0; p < n; p++) {
    const xp = p * s;
    while (z[k + 1]! < xp) k++;
    const r = v[k]!;
    const dx = xp - r * s;
    result[offset + p] = dx * dx + f[offset + r]!;
  }
}
