/**
 * Training patches for segmentation, balanced between foreground and background as MONAI's
 * RandCropByPosNegLabel (pos:neg 1:1 by default): each patch is centred on a random organ voxel or on
 * a random background voxel, shifted to stay inside the volume when the volume is large enough.
 * Patches of depth 1 are axial slices for the 2D U-Net. Augmentation: mirroring along y and z (never
 * x, which would swap left and right organs without swapping their labels) and intensity jitter.
 */
import { intensityJitter } from './augment.js';

/** A preprocessed image with its label map on the same grid (x fastest). */
export interface LabelledVolume {
  image: Float32Array;
  label: Uint8Array;
  dims: [number, number, number];
}

export interface PatchSamplerOptions {
  /** Probability that a patch is centred on foreground (MONAI pos / (pos + neg)); default 0.5. */
  positiveFraction?: number;
  /** Mirroring and intensity jitter (default true). */
  augment?: boolean;
}

export interface PatchBatch {
  /** [count, 1, z, y, x] values (x fastest). */
  images: Float32Array;
  /** [count, z, y, x] class indices. */
  labels: Uint8Array;
}

/** Foreground voxel indices of every volume, computed once (sampling then costs O(1)). */
export class PatchSampler {
  private readonly foreground: Int32Array[];
  private readonly minimum: number[];

  constructor(
    readonly volumes: readonly LabelledVolume[],
    readonly size: readonly [number, number, number],
    readonly options: PatchSamplerOptions = {},
  ) {
    this.foreground = volumes.map((v) => {
      let n = 0;
      for (let i = 0; i < v.label.length; i++) if (v.label[i] !== 0) n++;
      const out = new Int32Array(n);
      n = 0;
      for (let i = 0; i < v.label.length; i++) if (v.label[i] !== 0) out[n++] = i;
      return out;
    });
    this.minimum = volumes.map((v) => {
      let m = Number.POSITIVE_INFINITY;
      for (let i = 0; i < v.image.length; i++) if (v.image[i]! < m) m = v.image[i]!;
      return Number.isFinite(m) ? m : 0;
    });
  }

  /** A voxel index to centre on: foreground with probability positiveFraction, else background. */
  centre(volume: number, rng: () => number): number {
    const v = this.volumes[volume]!;
    const fg = this.foreground[volume]!;
    const positive = rng() < (this.options.positiveFraction ?? 0.5);
    if (positive && fg.length > 0) return fg[Math.floor(rng() * fg.length)]!;
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
    const images = new Float32Array(count * voxels);
    const labels = new Uint8Array(count * voxels);
    for (let b = 0; b < count; b++) {
      const volume = (first + b) % this.volumes.length;
      const start = this.start(volume, this.centre(volume, rng));
      const image = images.subarray(b * voxels, (b + 1) * voxels);
      const label = labels.subarray(b * voxels, (b + 1) * voxels);
      cropInto(this.volumes[volume]!, start, this.size, image, label, this.minimum[volume]!);
      if (this.options.augment ?? true) {
        const flipY = rng() < 0.5;
        const flipZ = sz > 1 && rng() < 0.5;
        if (flipY || flipZ) {
          mirror(image, this.size, flipY, flipZ);
          mirror(label, this.size, flipY, flipZ);
        }
        intensityJitter(image, rng, 0.1, 0.1);
      }
    }
    return { images, labels };
  }
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
