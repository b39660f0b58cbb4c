/**
 * Training patches for segmentation, as nnU-Net samples them: a `positiveFraction` of patches is
 * centred on foreground and the rest anywhere else in the volume (background). The foreground class is
 * drawn uniformly among the classes present in the case, then a voxel of that class uniformly, so an
 * adrenal gland of 60 voxels is a patch centre as often as a liver of 60,000 (nnU-Net v2's
 * class-balanced oversampling; a uniform foreground voxel would almost never land on it). The patch
 * is shifted to stay inside the volume when the volume is large enough. Patches of depth 1 are axial
 * slices for the 2D U-Net. With augmentation, the patch is cut through the spatial transform of
 * `patch-augment.ts` and its intensities augmented; all randomness comes from the given generator.
 * A multi-channel volume (BraTS t1, t1ce, t2, flair) gets one spatial transform for all its channels
 * and the intensity augmentations drawn per channel, as nnU-Net's per-channel transforms.
 */
import { Rng } from '../engine/random.js';
import {
  augmentIntensity,
  cutPatch,
  defaultPatchAugment,
  drawPatchTransform,
  type PatchAugmentOptions,
} from './patch-augment.js';

/** A preprocessed image with its label map on the same grid (x fastest). */
export interface LabelledVolume {
  /** [channels, z, y, x] (x fastest, channel slowest). */
  image: Float32Array;
  label: Uint8Array;
  dims: [number, number, number];
  /** Input channels stacked channel-major in `image` (absent = 1). */
  channels?: number;
}

export interface PatchSamplerOptions {
  /**
   * Probability that a patch is centred on foreground. Default 0.5 (MONAI's pos:neg 1:1); nnU-Net
   * uses 1/3. Anything above 1/3 keeps small organs frequent enough with class balancing.
   */
  positiveFraction?: number;
  /** Foreground class drawn uniformly among the classes present (default true), else a uniform voxel. */
  classBalanced?: boolean;
  /** Spatial and intensity augmentation (default true = `defaultPatchAugment`). */
  augment?: boolean | PatchAugmentOptions;
}

export interface PatchBatch {
  /** [count, channels, z, y, x] values (x fastest). */
  images: Float32Array;
  /** [count, z, y, x] class indices. */
  labels: Uint8Array;
}

/** The generator of one training step's patches (independent of any other stream, so a resumed run repeats it). */
export function patchStepRng(seed: number, step: number): Rng {
  return new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0);
}

/** Voxel indices of each foreground class of every volume, computed once (sampling then costs O(1)). */
export class PatchSampler {
  /** Per volume: class value → its voxel indices. */
  private readonly classVoxels: Map<number, Int32Array>[];
  /** Per volume and channel: the padding value (the channel's minimum). */
  private readonly minimum: number[][];
  /** Input channels of every volume. */
  readonly channels: number;

  constructor(
    readonly volumes: readonly LabelledVolume[],
    readonly size: readonly [number, number, number],
    readonly options: PatchSamplerOptions = {},
  ) {
    this.channels = volumes[0]?.channels ?? 1;
    for (const v of volumes)
      if ((v.channels ?? 1) !== this.channels || v.image.length !== this.channels * v.label.length)
        throw new RangeError(
          `every volume needs ${this.channels} channel(s) of ${v.label.length} voxels, got ${v.image.length} values`,
        );
    // A volume listed more than once (self-training repeats the labelled ones) is indexed once.
    const indexed = new Map<LabelledVolume, { classVoxels: Map<number, Int32Array>; minimum: number[] }>();
    const index = (v: LabelledVolume) => {
      let entry = indexed.get(v);
      if (!entry) {
        entry = {
          classVoxels: classIndices(v.label),
          minimum: Array.from({ length: this.channels }, (_, c) =>
            minimumOf(v.image.subarray(c * v.label.length, (c + 1) * v.label.length)),
          ),
        };
        indexed.set(v, entry);
      }
      return entry;
    };
    this.classVoxels = volumes.map((v) => index(v).classVoxels);
    this.minimum = volumes.map((v) => index(v).minimum);
  }

  /** Foreground classes present in volume `volume`. */
  classesIn(volume: number): number[] {
    return [...this.classVoxels[volume]!.keys()];
  }

  /** A voxel index to centre on: foreground with probability positiveFraction, else background. */
  centre(volume: number, rng: () => number): number {
    const v = this.volumes[volume]!;
    const byClass = this.classVoxels[volume]!;
    const positive = rng() < (this.options.positiveFraction ?? 0.5);
    if (positive && byClass.size > 0) {
      if (this.options.classBalanced ?? true) {
        const classes = [...byClass.values()];
        const voxels = classes[Math.floor(rng() * classes.length)]!;
        return voxels[Math.floor(rng() * voxels.length)]!;
      }
      let total = 0;
      for (const voxels of byClass.values()) total += voxels.length;
      let k = Math.floor(rng() * total);
      for (const voxels of byClass.values()) {
        if (k < voxels.length) return voxels[k]!;
        k -= voxels.length;
      }
    }
    // Rejection sampling: background is most of a CT, so a few draws suffice.
    for (let tries = 0; tries < 64; tries++) {
      const i = Math.floor(rng() * v.label.length);
      if (v.label[i] === 0) return i;
    }
    return Math.floor(rng() * v.label.length);
  }

  /** Start corner of the patch around voxel `index` (inside the volume when it fits, else centred). */
  start(volume: number, index: number): [number, number, number] {
    const dims = this.volumes[volume]!.dims;
    const c = [
      index % dims[0],
      Math.floor(index / dims[0]) % dims[1],
      Math.floor(index / (dims[0] * dims[1])),
    ];
    return [0, 1, 2].map((a) => {
      const size = this.size[a]!;
      const slack = dims[a]! - size;
      if (slack <= 0) return Math.floor(slack / 2);
      return Math.min(Math.max(c[a]! - Math.floor(size / 2), 0), slack);
    }) as [number, number, number];
  }

  /** `count` patches drawn from the volumes in turn starting at `first` (so every case is seen). */
  batch(count: number, rng: () => number, first = 0): PatchBatch {
    const [sx, sy, sz] = this.size;
    const voxels = sx * sy * sz;
    const channels = this.channels;
    const images = new Float32Array(count * channels * voxels);
    const labels = new Uint8Array(count * voxels);
    const augment = this.options.augment ?? true;
    const settings = augment === true ? defaultPatchAugment : augment === false ? null : augment;
    for (let b = 0; b < count; b++) {
      const volume = (first + b) % this.volumes.length;
      const v = this.volumes[volume]!;
      const start = this.start(volume, this.centre(volume, rng));
      const label = labels.subarray(b * voxels, (b + 1) * voxels);
      const image = (c: number) =>
        images.subarray((b * channels + c) * voxels, (b * channels + c + 1) * voxels);
      const source = (c: number) =>
        channels === 1 ? v : { ...v, image: v.image.subarray(c * v.label.length, (c + 1) * v.label.length) };
      if (!settings) {
        for (let c = 0; c < channels; c++)
          cropInto(source(c), start, this.size, image(c), label, this.minimum[volume]![c]!);
        continue;
      }
      const centre = start.map((s, a) => s + (this.size[a]! - 1) / 2) as [number, number, number];
      const transform = drawPatchTransform(rng, this.size, settings);
      // One spatial transform for every channel (labels are cut again each time, identically).
      for (let c = 0; c < channels; c++)
        cutPatch(source(c), centre, this.size, transform, this.minimum[volume]![c]!, image(c), label);
      for (let c = 0; c < channels; c++) augmentIntensity(image(c), this.size, rng, settings);
    }
    return { images, labels };
  }

  /** The patches of training step `step` (the same on any thread: see `patchStepRng`). */
  batchForStep(count: number, seed: number, step: number): PatchBatch {
    const rng = patchStepRng(seed, step);
    return this.batch(count, () => rng.next(), step * count);
  }
}

function minimumOf(data: Float32Array): number {
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < data.length; i++) if (data[i]! < m) m = data[i]!;
  return Number.isFinite(m) ? m : 0;
}

/** Class value → voxel indices, for every non-zero class present. */
function classIndices(label: Uint8Array): Map<number, Int32Array> {
  const counts = new Int32Array(256);
  for (let i = 0; i < label.length; i++) counts[label[i]!]!++;
  const out = new Map<number, Int32Array>();
  const fill = new Int32Array(256);
  for (let c = 1; c < 256; c++) if (counts[c]! > 0) out.set(c, new Int32Array(counts[c]!));
  for (let i = 0; i < label.length; i++) {
    const c = label[i]!;
    if (c !== 0) out.get(c)![fill[c]!++] = i;
  }
  return out;
}

/** Copies the patch at `start` (outside voxels: image `fill`, label 0). */
function cropInto(
  v: LabelledVolume,
  start: readonly number[],
  size: readonly number[],
  image: Float32Array,
  label: Uint8Array,
  fill: number,
): void {
  const [nx, ny, nz] = v.dims;
  const [sx, sy, sz] = size as [number, number, number];
  image.fill(fill);
  label.fill(0);
  for (let z = 0; z < sz; z++) {
    const vz = start[2]! + z;
    if (vz < 0 || vz >= nz) continue;
    for (let y = 0; y < sy; y++) {
      const vy = start[1]! + y;
      if (vy < 0 || vy >= ny) continue;
      const x0 = Math.max(0, -start[0]!);
      const x1 = Math.min(sx, nx - start[0]!);
      if (x1 <= x0) continue;
      const src = (vz * ny + vy) * nx + start[0]!;
      const dst = (z * sy + y) * sx;
      image.set(v.image.subarray(src + x0, src + x1), dst + x0);
      label.set(v.label.subarray(src + x0, src + x1), dst + x0);
    }
  }
}

/** Mirrors a patch along y and/or z in place. */
export function mirror(
  data: Float32Array | Uint8Array,
  size: readonly number[],
  flipY: boolean,
  flipZ: boolean,
): void {
  const [sx, sy, sz] = size as [number, number, number];
  const copy = data.slice();
  for (let z = 0; z < sz; z++) {
    const fz = flipZ ? sz - 1 - z : z;
    for (let y = 0; y < sy; y++) {
      const fy = flipY ? sy - 1 - y : y;
      data.set(copy.subarray((fz * sy + fy) * sx, (fz * sy + fy + 1) * sx), (z * sy + y) * sx);
    }
  }
}
