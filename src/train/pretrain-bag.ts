/**
 * The multiple-instance bag of one volume for pre-training (DESIGN.md §1): a report is true for the
 * whole volume, so the bag must cover the whole volume on the grid fine-tuning uses. 2D: axial slices
 * at a stride no organ can fall between, each tiled in-plane by patches of the fine-tuning size over
 * the body; 3D: crops of the network's patch whose union covers the body. Instances are (z, y, x)
 * starts of patches on the preprocessed grid; the recognition logits are max-pooled over them.
 */
import { augmentImage } from '../data/augment.js';
import { cropPatch } from '../data/slice-sampler.js';
import type { PreparedVolume } from '../data/volume-cache.js';
import type { Rng } from '../engine/index.js';

/** Inclusive-exclusive box [lo, hi) per axis x, y, z of the voxels that are not background. */
export interface BodyBox {
  lo: [number, number, number];
  hi: [number, number, number];
}

/**
 * The body threshold: the volume's minimum plus 2 % of its range (air, padding and out-of-field
 * voxels are at the minimum after windowing or z-scoring).
 */
function bodyThreshold(data: Float32Array): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min + 0.02 * (max - min);
}

/** 1 where a voxel is brighter than the body threshold (the region maps are judged in). */
export function bodyMask(data: Float32Array): Uint8Array {
  const threshold = bodyThreshold(data);
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i]! > threshold ? 1 : 0;
  return mask;
}

/** The box of voxels above the body threshold; the whole volume if none. */
export function bodyBox(data: Float32Array, dims: readonly number[]): BodyBox {
  const [nx, ny, nz] = [dims[0]!, dims[1]!, dims[2]!];
  const threshold = bodyThreshold(data);
  const lo: [number, number, number] = [nx, ny, nz];
  const hi: [number, number, number] = [0, 0, 0];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        if (!(data[(z * ny + y) * nx + x]! > threshold)) continue;
        if (x < lo[0]) lo[0] = x;
        if (y < lo[1]) lo[1] = y;
        if (z < lo[2]) lo[2] = z;
        if (x + 1 > hi[0]) hi[0] = x + 1;
        if (y + 1 > hi[1]) hi[1] = y + 1;
        if (z + 1 > hi[2]) hi[2] = z + 1;
      }
  if (hi[0] <= lo[0]) return { lo: [0, 0, 0], hi: [nx, ny, nz] };
  return { lo, hi };
}

/**
 * Starts of windows of `size` whose union covers [lo, hi): one window when the extent fits (placed
 * anywhere that still covers it when `rng` is given, else centred), else ⌈extent / size⌉ windows
 * spread evenly from lo to hi − size (overlapping by as little as that allows).
 */
export function coveringStarts(lo: number, hi: number, size: number, rng?: Rng): number[] {
  const extent = hi - lo;
  if (extent <= size) {
    const slack = size - extent;
    const shift = rng ? rng.int(slack + 1) : Math.floor(slack / 2);
    return [lo - shift];
  }
  const count = Math.ceil(extent / size);
  const span = extent - size;
  return Array.from({ length: count }, (_, i) => lo + Math.round((i * span) / (count - 1)));
}

/**
 * Axial slice indices of the bag: every `stride`-th slice of [lo, hi), from a phase in [0, stride)
 * (random when `rng` is given, else the middle), so any structure spanning ≥ `stride` slices is hit.
 */
export function strideSlices(lo: number, hi: number, stride: number, rng?: Rng): number[] {
  const s = Math.max(1, Math.floor(stride));
  const phase = rng ? rng.int(s) : Math.floor((s - 1) / 2);
  const out: number[] = [];
  for (let z = lo + phase; z < hi; z += s) out.push(z);
  if (out.length === 0) out.push(Math.min(hi - 1, lo + phase));
  return out;
}

/** The slice stride that keeps an organ of at least `strideMm` cranio-caudal extent in the bag. */
export function sliceStride(strideMm: number, spacingZ: number): number {
  return Math.max(1, Math.floor(strideMm / spacingZ));
}

export interface BagSettings {
  /** Patch [x, y] (2D, one slice deep) or [x, y, z] (3D). */
  patch: readonly number[];
  /** 2D: axial stride in slices (see `sliceStride`); ignored in 3D. */
  stride: number;
}

/** Patch starts [x, y, z] of a volume's bag. */
export function bagInstances(box: BodyBox, settings: BagSettings, rng?: Rng): [number, number, number][] {
  const [px, py] = [settings.patch[0]!, settings.patch[1]!];
  const xs = coveringStarts(box.lo[0], box.hi[0], px, rng);
  const ys = coveringStarts(box.lo[1], box.hi[1], py, rng);
  const zs =
    settings.patch.length === 3
      ? coveringStarts(box.lo[2], box.hi[2], settings.patch[2]!, rng)
      : strideSlices(box.lo[2], box.hi[2], settings.stride, rng);
  const out: [number, number, number][] = [];
  for (const z of zs) for (const y of ys) for (const x of xs) out.push([x, y, z]);
  return out;
}

/** Does the bag hold at least one voxel where `inside(index)` is true? (coverage checks) */
export function bagTouches(
  instances: readonly [number, number, number][],
  patch: readonly number[],
  dims: readonly number[],
  inside: (index: number) => boolean,
): boolean {
  const [nx, ny, nz] = [dims[0]!, dims[1]!, dims[2]!];
  const [px, py, pz] = [patch[0]!, patch[1]!, patch[2] ?? 1];
  for (const [x0, y0, z0] of instances)
    for (let z = Math.max(0, z0); z < Math.min(nz, z0 + pz); z++)
      for (let y = Math.max(0, y0); y < Math.min(ny, y0 + py); y++)
        for (let x = Math.max(0, x0); x < Math.min(nx, x0 + px); x++)
          if (inside((z * ny + y) * nx + x)) return true;
  return false;
}

/** Network input of a batch of bags, and which volume each instance belongs to. */
export interface BagBatch {
  data: Float32Array;
  /** [instances, 1, y, x] (2D) or [instances, 1, z, y, x] (3D). */
  shape: number[];
  /** Volume index (0-based, in batch order) of every instance. */
  owner: number[];
  /** Instances per volume. */
  sizes: number[];
}

/** Minimum voxel value (the fill outside the volume). */
function minimumOf(data: Float32Array): number {
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < data.length; i++) if (data[i]! < m) m = data[i]!;
  return Number.isFinite(m) ? m : 0;
}

/**
 * The bags of `volumes` cut into one batch; with `rng` the tiling and slice phase are random and,
 * when `augment`, each instance is augmented (flips, intensity) independently.
 */
export function bagBatch(
  volumes: readonly PreparedVolume[],
  settings: BagSettings,
  rng?: Rng,
  augment = false,
  boxes?: readonly BodyBox[],
): BagBatch {
  const is3d = settings.patch.length === 3;
  const size = [settings.patch[0]!, settings.patch[1]!, is3d ? settings.patch[2]! : 1];
  const count = size[0]! * size[1]! * size[2]!;
  const perVolume = volumes.map((v, i) => bagInstances(boxes?.[i] ?? bodyBox(v.data, v.dims), settings, rng));
  const total = perVolume.reduce((n, b) => n + b.length, 0);
  const data = new Float32Array(total * count);
  const owner: number[] = [];
  const uniform = rng ? () => rng.next() : undefined;
  let offset = 0;
  volumes.forEach((v, i) => {
    const fill = minimumOf(v.data);
    for (const start of perVolume[i]!) {
      let patch = cropPatch(v.data, v.dims, start, size, fill);
      if (augment && uniform) patch = augmentImage(patch, size[0]!, size[1]!, size[2]!, uniform);
      data.set(patch, offset);
      offset += count;
      owner.push(i);
    }
  });
  const shape = is3d ? [total, 1, size[2]!, size[1]!, size[0]!] : [total, 1, size[1]!, size[0]!];
  return { data, shape, owner, sizes: perVolume.map((b) => b.length) };
}
