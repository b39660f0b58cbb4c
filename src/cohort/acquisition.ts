// How a grown case was "scanned": voxel size (in-plane resolution and slice thickness), the scanned
// length and in-plane field of view, reconstruction blur and noise. Real cohorts mix all of these:
// 0.6–1 mm in-plane and 1–5 mm slices, abdomen-only or chest-to-pelvis ranges, tight or wide fields.
import type { Random } from '../phantom/random.js';
import type { Matrix4 } from '../volume/volume.js';
import type { Vec3 } from './deformation.js';

/** Ranges the acquisition is drawn from; a fixed value is a range of one. */
export interface AcquisitionRanges {
  /** In-plane voxel size range, mm. */
  inPlaneMm: [number, number];
  /** Slice thickness choices, mm. */
  sliceMm: number[];
  /** Shortest scanned length, mm (the longest is the whole source). */
  minLengthMm: number;
  /** Field of view relative to the source body's extent (below 1 cuts the body's sides, as small FOVs do). */
  fieldOfView: [number, number];
  /** Added noise standard deviation range, HU. */
  noiseHu: [number, number];
  /** In-plane blur (Gaussian sigma) range, mm: soft to sharp reconstruction kernels. */
  blurMm: [number, number];
}

export const defaultAcquisitionRanges: AcquisitionRanges = {
  inPlaneMm: [1.5, 2.5],
  sliceMm: [2, 2.5, 3, 4, 5],
  minLengthMm: 40,
  fieldOfView: [0.85, 1.35],
  noiseHu: [0, 20],
  blurMm: [0, 1.2],
};

export interface Acquisition {
  spacing: Vec3;
  dims: Vec3;
  /** Voxel → RAS mm (axes aligned with RAS). */
  affine: Matrix4;
  noiseHu: number;
  blurMm: number;
  /** Extra smoothing along z (mm sigma) for slices thicker than the source's. */
  sliceBlurMm: number;
}

/** An axis-aligned box in RAS mm. */
export interface Box {
  min: Vec3;
  max: Vec3;
}

/**
 * Draws a scan of the new patient whose body spans `body` (RAS mm, after habitus): a z-range of at
 * least `minLengthMm` whose centre lies in `abdomen` (the organs' z-extent, so every scan shows some
 * of them), and an in-plane field of view around the body.
 */
export function drawAcquisition(
  rng: Random,
  ranges: AcquisitionRanges,
  body: Box,
  abdomen: [number, number],
  sourceSliceMm: number,
): Acquisition {
  const inPlane = rng.uniform(ranges.inPlaneMm[0], ranges.inPlaneMm[1]);
  const slice = rng.pick(ranges.sliceMm);
  const fullLength = body.max[2] - body.min[2];
  // Half the cases see the whole range; the rest a shorter scan, down to `minLengthMm`.
  const length = rng.chance(0.4)
    ? fullLength
    : Math.min(fullLength, rng.uniform(ranges.minLengthMm, Math.max(ranges.minLengthMm, fullLength)));
  const lo = Math.max(body.min[2] + length / 2, abdomen[0]);
  const hi = Math.min(body.max[2] - length / 2, abdomen[1]);
  const zCenter = lo <= hi ? rng.uniform(lo, hi) : (body.min[2] + body.max[2]) / 2;
  const fov = rng.uniform(ranges.fieldOfView[0], ranges.fieldOfView[1]);
  const width = Math.max(body.max[0] - body.min[0], body.max[1] - body.min[1]) * fov;
  const center: Vec3 = [
    (body.min[0] + body.max[0]) / 2 + rng.uniform(-15, 15),
    (body.min[1] + body.max[1]) / 2 + rng.uniform(-15, 15),
    zCenter,
  ];
  const spacing: Vec3 = [inPlane, inPlane, slice];
  const dims: Vec3 = [
    Math.max(8, Math.round(width / inPlane)),
    Math.max(8, Math.round(width / inPlane)),
    Math.max(1, Math.round(length / slice)),
  ];
  const affine: Matrix4 = [
    [spacing[0], 0, 0, center[0] - ((dims[0] - 1) * spacing[0]) / 2],
    [0, spacing[1], 0, center[1] - ((dims[1] - 1) * spacing[1]) / 2],
    [0, 0, spacing[2], center[2] - ((dims[2] - 1) * spacing[2]) / 2],
    [0, 0, 0, 1],
  ];
  const excess = slice * slice - sourceSliceMm * sourceSliceMm;
  return {
    spacing,
    dims,
    affine,
    noiseHu: rng.uniform(ranges.noiseHu[0], ranges.noiseHu[1]),
    blurMm: rng.uniform(ranges.blurMm[0], ranges.blurMm[1]),
    // A thicker slice integrates over its width: add the missing part of a slice profile (FWHM).
    sliceBlurMm: excess > 0 ? Math.sqrt(excess) / 2.355 : 0,
  };
}

/** In-place Gaussian smoothing along one axis with `sigma` voxels (edges replicate). */
export function gaussianAlongAxis(
  data: Float32Array,
  dims: [number, number, number],
  axis: 0 | 1 | 2,
  sigma: number,
): void {
  if (sigma < 0.2) return;
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let t = -radius; t <= radius; t++)
    sum += kernel[t + radius] = Math.exp(-(t * t) / (2 * sigma * sigma));
  for (let t = 0; t < kernel.length; t++) kernel[t]! /= sum;
  const [nx, ny] = dims;
  const n = dims[axis];
  if (n < 2) return;
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const line = new Float32Array(n);
  const lines = data.length / n;
  for (let l = 0; l < lines; l++) {
    const start = axis === 0 ? l * nx : axis === 1 ? (l % nx) + Math.floor(l / nx) * nx * ny : l;
    for (let t = 0; t < n; t++) line[t] = data[start + t * stride]!;
    for (let t = 0; t < n; t++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++)
        acc += kernel[k + radius]! * line[Math.min(n - 1, Math.max(0, t + k))]!;
      data[start + t * stride] = acc;
    }
  }
}
