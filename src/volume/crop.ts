/** Cropping to the foreground's bounding box, padding to a size, and pasting a crop back. */
import { multiply4 } from './matrix.js';
import { allocateVoxels, type Matrix4, spacingFromAffine, type Volume } from './volume.js';

/** A box of voxels: `start` inclusive, `end` exclusive, per axis x, y, z. */
export interface VoxelBox {
  start: [number, number, number];
  end: [number, number, number];
}

/**
 * The smallest box holding every voxel above `threshold` (in any channel), grown by `margin` voxels
 * and clipped to the volume; null when nothing is above it.
 */
export function foregroundBox(volume: Volume, threshold = 0, margin = 0): VoxelBox | null {
  const [nx, ny, nz] = [volume.dims[0] ?? 1, volume.dims[1] ?? 1, volume.dims[2] ?? 1];
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  const data = volume.data;
  // Row by row: the first and last voxel above the threshold bound x; a row with any bounds y and z.
  for (let row = 0; row < data.length / nx; row++) {
    const base = row * nx;
    let first = 0;
    while (first < nx && !(data[base + first]! > threshold)) first++;
    if (first === nx) continue;
    let last = nx - 1;
    while (!(data[base + last]! > threshold)) last--;
    const y = row % ny;
    const z = Math.floor(row / ny) % nz; // rows of later channels wrap to the same z
    if (first < lo[0]!) lo[0] = first;
    if (last > hi[0]!) hi[0] = last;
    if (y < lo[1]!) lo[1] = y;
    if (y > hi[1]!) hi[1] = y;
    if (z < lo[2]!) lo[2] = z;
    if (z > hi[2]!) hi[2] = z;
  }
  if (hi[0]! < 0) return null;
  const size = [nx, ny, nz];
  return {
    start: [0, 1, 2].map((a) => Math.max(0, lo[a]! - margin)) as [number, number, number],
    end: [0, 1, 2].map((a) => Math.min(size[a]!, hi[a]! + 1 + margin)) as [number, number, number],
  };
}

/** The affine that moves voxel indices by `offset` (a box's start). */
export function translation(offset: readonly number[]): Matrix4 {
  return [
    [1, 0, 0, offset[0]!],
    [0, 1, 0, offset[1]!],
    [0, 0, 1, offset[2]!],
    [0, 0, 0, 1],
  ];
}

/** The smallest box holding both. */
export function unionBox(a: VoxelBox, b: VoxelBox): VoxelBox {
  return {
    start: [0, 1, 2].map((i) => Math.min(a.start[i]!, b.start[i]!)) as [number, number, number],
    end: [0, 1, 2].map((i) => Math.max(a.end[i]!, b.end[i]!)) as [number, number, number],
  };
}

/**
 * Copies the voxels of `box` out of `volume` into a new volume whose affine places them at the same
 * world positions. Parts of the box outside the volume are filled with `fill`, so this also pads.
 */
export function cropToBox(volume: Volume, box: VoxelBox, fill = 0): Volume {
  const inDims = [volume.dims[0] ?? 1, volume.dims[1] ?? 1, volume.dims[2] ?? 1];
  const outDims = [0, 1, 2].map((a) => box.end[a]! - box.start[a]!);
  if (outDims.some((d) => d < 1)) throw new RangeError(`empty box ${JSON.stringify(box)}`);
  const channels = volume.dims[3] ?? 1;
  const inCount = inDims[0]! * inDims[1]! * inDims[2]!;
  const outCount = outDims[0]! * outDims[1]! * outDims[2]!;
  const data = allocateVoxels(volume.datatype, outCount * channels);
  if (fill !== 0) data.fill(fill);
  // The x range that overlaps the volume is copied as one contiguous run per row.
  const x0 = Math.max(0, box.start[0]);
  const x1 = Math.min(inDims[0]!, box.end[0]);
  for (let c = 0; c < channels; c++) {
    for (let z = 0; z < outDims[2]!; z++) {
      const sz = z + box.start[2];
      if (sz < 0 || sz >= inDims[2]!) continue;
      for (let y = 0; y < outDims[1]!; y++) {
        const sy = y + box.start[1];
        if (sy < 0 || sy >= inDims[1]! || x1 <= x0) continue;
        const from = c * inCount + (sz * inDims[1]! + sy) * inDims[0]!;
        const to = c * outCount + (z * outDims[1]! + y) * outDims[0]! + (x0 - box.start[0]);
        data.set(volume.data.subarray(from + x0, from + x1), to);
      }
    }
  }
  const affine = multiply4(volume.affine, translation(box.start));
  const dims = [...outDims];
  if (channels > 1) dims.push(channels);
  return { ...volume, data, dims, affine, spacing: spacingFromAffine(affine) };
}

/**
 * Pads (centred, as MONAI's SpatialPad) every axis smaller than `size` up to it, filling with `fill`;
 * axes already as large are left alone. Returns the box, in the input's voxels, that the output covers.
 */
export function padToSize(
  volume: Volume,
  size: [number, number, number],
  fill = 0,
): { volume: Volume; box: VoxelBox } {
  const start = [0, 1, 2].map((a) => {
    const n = volume.dims[a] ?? 1;
    return n >= size[a]! ? 0 : -Math.floor((size[a]! - n) / 2);
  }) as [number, number, number];
  const end = [0, 1, 2].map((a) => start[a]! + Math.max(volume.dims[a] ?? 1, size[a]!)) as [
    number,
    number,
    number,
  ];
  const box = { start, end };
  return { volume: cropToBox(volume, box, fill), box };
}

/**
 * Writes `crop` (the result of cropping with `box`) back into a copy of `full`'s grid filled with
 * `fill`: the inverse of cropToBox, e.g. for a prediction made on a cropped input.
 */
export function uncropFromBox(
  crop: Volume,
  box: VoxelBox,
  full: Pick<Volume, 'dims' | 'affine'>,
  fill = 0,
): Volume {
  const inverse: VoxelBox = {
    start: [0, 1, 2].map((a) => -box.start[a]!) as [number, number, number],
    end: [0, 1, 2].map((a) => (full.dims[a] ?? 1) - box.start[a]!) as [number, number, number],
  };
  const out = cropToBox(crop, inverse, fill);
  return { ...out, affine: full.affine.map((r) => [...r]), spacing: spacingFromAffine(full.affine) };
}
