/**
 * Segmentation surfaces and the distances between them, as MONAI defines them
 * (`monai.metrics.utils.get_mask_edges` + `get_surface_distance`):
 *
 * - the surface (edge) of a mask is the set of its voxels that binary erosion with the
 *   6-neighbourhood removes: a set voxel with a face neighbour that is not set, or that lies on
 *   the image border (scipy's erosion treats outside the image as background);
 * - a directed surface distance is, for each edge voxel of one mask, the Euclidean distance in mm
 *   to the nearest edge voxel of the other (surface to surface, not surface to region).
 *
 * Axes of length 1 are treated as absent (a 2D image uses the 4-neighbourhood), as MONAI does for
 * 2D inputs (judged on the full image's dims, never on a crop's). Everything is computed inside the
 * bounding box of the union of both masks plus a one-voxel margin, which gives the same distances
 * as the full image (MONAI crops the same way) at a fraction of the cost.
 */
import { euclideanDistanceTransform, type MaskArray } from './distance-transform.js';

/** A voxel box: start inclusive, end exclusive, per axis [x, y, z]. */
export interface Box {
  start: [number, number, number];
  end: [number, number, number];
}

/** Distances in mm from each surface voxel of one mask to the nearest surface voxel of the other. */
export interface SurfaceDistances {
  /** One entry per prediction surface voxel; Infinity when the ground truth is empty. */
  predToGt: Float64Array;
  /** One entry per ground-truth surface voxel; Infinity when the prediction is empty. */
  gtToPred: Float64Array;
}

/** Pads dims to three axes. */
export function dims3(dims: readonly number[]): [number, number, number] {
  return [dims[0] ?? 1, dims[1] ?? 1, dims[2] ?? 1];
}

/** Which voxels are set: nonzero, or equal to `label` when given. */
function isSet(value: number, label: number | undefined): boolean {
  return label === undefined ? value !== 0 : value === label;
}

/** The bounding box of the voxels set in `a` or `b` (nonzero, or equal to `label`); null if none. */
export function unionBoundingBox(
  a: MaskArray,
  b: MaskArray,
  dims: readonly number[],
  label?: number,
): Box | null {
  const [nx, ny, nz] = dims3(dims);
  const start: [number, number, number] = [nx, ny, nz];
  const end: [number, number, number] = [0, 0, 0];
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!isSet(a[i]!, label) && !isSet(b[i]!, label)) continue;
        if (x < start[0]) start[0] = x;
        if (x >= end[0]) end[0] = x + 1;
        if (y < start[1]) start[1] = y;
        if (y >= end[1]) end[1] = y + 1;
        if (z < start[2]) start[2] = z;
        if (z >= end[2]) end[2] = z + 1;
      }
  return end[0] === 0 ? null : { start, end };
}

/** The dims of a box. */
export function boxDims(box: Box): [number, number, number] {
  return [box.end[0] - box.start[0], box.end[1] - box.start[1], box.end[2] - box.start[2]];
}

/**
 * The box grown by one voxel on both sides of every axis the image extends along. The margin lies
 * partly outside the image; it reads as background, which is what erosion assumes there, so the
 * edges found in the crop are those of the full image — and a crop one voxel thick is not
 * mistaken for a 2D image.
 */
export function padBox(box: Box, dims: readonly number[]): Box {
  const full = dims3(dims);
  const start = box.start.map((s, a) => (full[a]! > 1 ? s - 1 : s)) as [number, number, number];
  const end = box.end.map((e, a) => (full[a]! > 1 ? e + 1 : e)) as [number, number, number];
  return { start, end };
}

/**
 * A 0/1 mask of the voxels of `data` inside `box` that are set (nonzero, or equal to `label`);
 * parts of the box outside the image are 0.
 */
export function cropMask(data: MaskArray, dims: readonly number[], box: Box, label?: number): Uint8Array {
  const [nx, ny, nz] = dims3(dims);
  const [bx, by, bz] = boxDims(box);
  const out = new Uint8Array(bx * by * bz);
  const x0 = Math.max(0, -box.start[0]);
  const x1 = Math.min(bx, nx - box.start[0]);
  for (let z = 0; z < bz; z++) {
    const iz = box.start[2] + z;
    if (iz < 0 || iz >= nz) continue;
    for (let y = 0; y < by; y++) {
      const iy = box.start[1] + y;
      if (iy < 0 || iy >= ny) continue;
      const row = (iz * ny + iy) * nx + box.start[0];
      const o = (z * by + y) * bx;
      for (let x = x0; x < x1; x++) out[o + x] = isSet(data[row + x]!, label) ? 1 : 0;
    }
  }
  return out;
}

/**
 * The surface voxels of a 0/1 mask (see the file comment): set voxels with a face neighbour
 * outside the mask or outside the image.
 */
export function maskEdges(mask: MaskArray, dims: readonly number[]): Uint8Array {
  const [nx, ny, nz] = dims3(dims);
  const sliceSize = nx * ny;
  const edges = new Uint8Array(nx * ny * nz);
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (mask[i] === 0) continue;
        const interior =
          (nx === 1 || (x > 0 && x < nx - 1 && mask[i - 1] !== 0 && mask[i + 1] !== 0)) &&
          (ny === 1 || (y > 0 && y < ny - 1 && mask[i - nx] !== 0 && mask[i + nx] !== 0)) &&
          (nz === 1 || (z > 0 && z < nz - 1 && mask[i - sliceSize] !== 0 && mask[i + sliceSize] !== 0));
        if (!interior) edges[i] = 1;
      }
  return edges;
}

/** Values of `field` at the voxels set in `where`. */
function sampleAt(field: ArrayLike<number>, where: Uint8Array): Float64Array {
  let count = 0;
  for (let i = 0; i < where.length; i++) count += where[i]!;
  const out = new Float64Array(count);
  let o = 0;
  for (let i = 0; i < where.length; i++) if (where[i] !== 0) out[o++] = field[i]!;
  return out;
}

function countSet(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  return count;
}

/**
 * Surface distances between two 0/1 masks already cropped to the same box — a box grown with
 * `padBox`, so that a crop one voxel thick still has its background neighbours. When one mask is
 * empty, every distance from the other's surface is Infinity and the empty side has none (MONAI
 * returns Infinity there too); when both are empty, both lists are empty.
 */
export function surfaceDistancesOfMasks(
  pred: Uint8Array,
  gt: Uint8Array,
  dims: readonly number[],
  spacing: readonly number[],
): SurfaceDistances {
  const predEdges = maskEdges(pred, dims);
  const gtEdges = maskEdges(gt, dims);
  const predCount = countSet(predEdges);
  const gtCount = countSet(gtEdges);
  if (predCount === 0 || gtCount === 0) {
    return {
      predToGt: new Float64Array(predCount).fill(Number.POSITIVE_INFINITY),
      gtToPred: new Float64Array(gtCount).fill(Number.POSITIVE_INFINITY),
    };
  }
  const field = new Float64Array(predEdges.length);
  euclideanDistanceTransform(gtEdges, dims, spacing, { out: field });
  const predToGt = sampleAt(field, predEdges);
  euclideanDistanceTransform(predEdges, dims, spacing, { out: field });
  const gtToPred = sampleAt(field, gtEdges);
  return { predToGt, gtToPred };
}

/**
 * Surface distances between the set voxels of `pred` and `gt` (nonzero, or equal to `label` when
 * given — so a label map can be passed directly) on the same grid.
 */
export function surfaceDistances(
  pred: MaskArray,
  gt: MaskArray,
  dims: readonly number[],
  spacing: readonly number[],
  label?: number,
): SurfaceDistances {
  const tight = unionBoundingBox(pred, gt, dims, label);
  if (tight === null) return { predToGt: new Float64Array(0), gtToPred: new Float64Array(0) };
  const box = padBox(tight, dims);
  return surfaceDistancesOfMasks(
    cropMask(pred, dims, box, label),
    cropMask(gt, dims, box, label),
    boxDims(box),
    spacing,
  );
}
