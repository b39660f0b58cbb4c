/**
 * Segmentation-patch augmentation, nnU-Net style (probabilities and ranges from nnU-Net v2's default
 * training transforms unless said otherwise). Spatial transforms are applied while the patch is cut
 * from the volume — one resampling pass, image linear and labels nearest — so they cost the same as
 * a crop: in-plane rotation, isotropic scaling and a smooth elastic deformation. Intensity transforms
 * follow on the image patch: simulated low resolution, Gaussian noise and blur, brightness, contrast
 * and gamma. Mirroring is along y (anterior–posterior) and z (superior–inferior) only: a
 * left–right mirror would move the left kidney to where the right one is without swapping labels.
 * All randomness comes from the caller's `rng`, so a seeded step is repeatable on any thread.
 */

/** A uniform draw in [lo, hi). */
const between = (rng: () => number, lo: number, hi: number) => lo + (hi - lo) * rng();

export interface PatchAugmentOptions {
  /** Probability and range (degrees, ±) of an in-plane rotation. 15° as the measured recipe (DESIGN §7). */
  rotation: { p: number; degrees: number };
  /** Probability and range of an isotropic zoom (0.85–1.15 as DESIGN §7; nnU-Net: 0.7–1.4). */
  scaling: { p: number; min: number; max: number };
  /** Smooth elastic deformation: control points every `grid` voxels, displacement sd `sigma` voxels. */
  elastic: { p: number; grid: number; sigma: number };
  /** Mirror probability along y and z (never x). */
  mirror: number;
  /** Down-sample in-plane by a zoom in [min, 1] and back (a thicker, blurrier acquisition). */
  lowResolution: { p: number; min: number };
  /** Additive Gaussian noise with sd up to `sd` × the patch's sd. */
  noise: { p: number; sd: number };
  /** In-plane Gaussian blur with σ in [min, max] voxels. */
  blur: { p: number; min: number; max: number };
  /** Multiplicative brightness and contrast around the mean, both in [min, max]. */
  brightness: { p: number; min: number; max: number };
  contrast: { p: number; min: number; max: number };
  /** Gamma on the patch rescaled to [0, 1], γ in [min, max]; inverted (1 − x) with `invertedP`. */
  gamma: { p: number; min: number; max: number; invertedP: number };
}

export const defaultPatchAugment: PatchAugmentOptions = {
  rotation: { p: 0.2, degrees: 15 },
  scaling: { p: 0.2, min: 0.85, max: 1.15 },
  elastic: { p: 0.2, grid: 16, sigma: 2 },
  mirror: 0.5,
  lowResolution: { p: 0.25, min: 0.5 },
  noise: { p: 0.1, sd: 0.3 },
  blur: { p: 0.2, min: 0.5, max: 1 },
  brightness: { p: 0.15, min: 0.75, max: 1.25 },
  contrast: { p: 0.15, min: 0.75, max: 1.25 },
  gamma: { p: 0.3, min: 0.7, max: 1.5, invertedP: 0.1 },
};

/** How one patch is cut: output voxel p ↦ source centre + R·(p − patch centre)/scale + displacement. */
export interface PatchTransform {
  angle: number;
  scale: number;
  /** Displacement fields (x and y, voxels) on a coarse grid, or null. */
  elastic: { gx: number; gy: number; dx: Float32Array; dy: Float32Array; step: number } | null;
  flipY: boolean;
  flipZ: boolean;
}

export const identityTransform: PatchTransform = {
  angle: 0,
  scale: 1,
  elastic: null,
  flipY: false,
  flipZ: false,
};

/** Draws the spatial part of the augmentation for a patch of `size`. */
export function drawPatchTransform(
  rng: () => number,
  size: readonly [number, number, number],
  o: PatchAugmentOptions = defaultPatchAugment,
): PatchTransform {
  const angle =
    rng() < o.rotation.p ? (between(rng, -o.rotation.degrees, o.rotation.degrees) * Math.PI) / 180 : 0;
  const scale = rng() < o.scaling.p ? between(rng, o.scaling.min, o.scaling.max) : 1;
  let elastic: PatchTransform['elastic'] = null;
  if (rng() < o.elastic.p) {
    const step = o.elastic.grid;
    const gx = Math.ceil(size[0] / step) + 2;
    const gy = Math.ceil(size[1] / step) + 2;
    const dx = new Float32Array(gx * gy);
    const dy = new Float32Array(gx * gy);
    for (let i = 0; i < dx.length; i++) {
      dx[i] = gaussian(rng) * o.elastic.sigma;
      dy[i] = gaussian(rng) * o.elastic.sigma;
    }
    elastic = { gx, gy, dx, dy, step };
  }
  return { angle, scale, elastic, flipY: rng() < o.mirror, flipZ: size[2] > 1 && rng() < o.mirror };
}

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Bilinear value of a coarse grid field at (x, y) in patch voxels. */
function coarse(field: Float32Array, gx: number, step: number, x: number, y: number): number {
  const fx = x / step;
  const fy = y / step;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const tx = fx - x0;
  const ty = fy - y0;
  const i = y0 * gx + x0;
  return (
    (field[i]! * (1 - tx) + field[i + 1]! * tx) * (1 - ty) +
    (field[i + gx]! * (1 - tx) + field[i + gx + 1]! * tx) * ty
  );
}

export interface SourceVolume {
  image: Float32Array;
  label: Uint8Array;
  dims: readonly [number, number, number];
}

/**
 * Bilinear sample of slice `zi` at (x0 + tx, y0 + ty); voxels outside the volume (or the whole slice
 * when `inZ` is false) read `fill`. Module-level rather than closures in cutPatch's voxel loop: two
 * closures per voxel cost the augmentation worker a quarter of its time under tsx (esbuild wraps each
 * in a naming helper), time taken from the training step on a 2-core machine.
 */
function planeSample(
  image: Float32Array,
  nx: number,
  ny: number,
  zi: number,
  inZ: boolean,
  x0: number,
  y0: number,
  tx: number,
  ty: number,
  fill: number,
): number {
  if (!inZ) return fill;
  const base = zi * nx * ny;
  const x1 = x0 + 1;
  const y1 = y0 + 1;
  const x0In = x0 >= 0 && x0 < nx;
  const x1In = x1 >= 0 && x1 < nx;
  const y0In = y0 >= 0 && y0 < ny;
  const y1In = y1 >= 0 && y1 < ny;
  const v00 = x0In && y0In ? image[base + y0 * nx + x0]! : fill;
  const v10 = x1In && y0In ? image[base + y0 * nx + x1]! : fill;
  const v01 = x0In && y1In ? image[base + y1 * nx + x0]! : fill;
  const v11 = x1In && y1In ? image[base + y1 * nx + x1]! : fill;
  return (v00 * (1 - tx) + v10 * tx) * (1 - ty) + (v01 * (1 - tx) + v11 * tx) * ty;
}

/**
 * Cuts the patch of `size` whose centre lies at `centre` (volume voxels, may be fractional) under
 * `transform`: the image linearly interpolated (in-plane bilinear, linear in z when z varies), labels
 * by nearest neighbour; outside the volume image `fill`, label 0.
 */
export function cutPatch(
  v: SourceVolume,
  centre: readonly [number, number, number],
  size: readonly [number, number, number],
  transform: PatchTransform,
  fill: number,
  image: Float32Array,
  label: Uint8Array,
): void {
  const [nx, ny, nz] = v.dims;
  const [sx, sy, sz] = size;
  const cos = Math.cos(transform.angle) / transform.scale;
  const sin = Math.sin(transform.angle) / transform.scale;
  const px = (sx - 1) / 2;
  const py = (sy - 1) / 2;
  const pz = (sz - 1) / 2;
  const e = transform.elastic;
  const plane = nx * ny;
  let o = 0;
  for (let z = 0; z < sz; z++) {
    const oz = transform.flipZ ? sz - 1 - z : z;
    const srcZ = centre[2] + (oz - pz) / transform.scale;
    const z0 = Math.floor(srcZ);
    const tz = srcZ - z0;
    const zIn0 = z0 >= 0 && z0 < nz;
    const zIn1 = z0 + 1 >= 0 && z0 + 1 < nz;
    const zNear = Math.round(srcZ);
    for (let y = 0; y < sy; y++) {
      const oy = transform.flipY ? sy - 1 - y : y;
      for (let x = 0; x < sx; x++, o++) {
        const dx = x - px;
        const dy = oy - py;
        let srcX = centre[0] + cos * dx + sin * dy;
        let srcY = centre[1] - sin * dx + cos * dy;
        if (e) {
          srcX += coarse(e.dx, e.gx, e.step, x, oy);
          srcY += coarse(e.dy, e.gx, e.step, x, oy);
        }
        const xn = Math.round(srcX);
        const yn = Math.round(srcY);
        label[o] =
          xn >= 0 && xn < nx && yn >= 0 && yn < ny && zNear >= 0 && zNear < nz
            ? v.label[zNear * plane + yn * nx + xn]!
            : 0;
        const x0 = Math.floor(srcX);
        const y0 = Math.floor(srcY);
        if (x0 < -1 || x0 >= nx || y0 < -1 || y0 >= ny || (!zIn0 && !zIn1)) {
          image[o] = fill;
          continue;
        }
        const tx = srcX - x0;
        const ty = srcY - y0;
        image[o] =
          tz === 0
            ? planeSample(v.image, nx, ny, z0, zIn0, x0, y0, tx, ty, fill)
            : planeSample(v.image, nx, ny, z0, zIn0, x0, y0, tx, ty, fill) * (1 - tz) +
              planeSample(v.image, nx, ny, z0 + 1, zIn1, x0, y0, tx, ty, fill) * tz;
      }
    }
  }
}

/** Mean and standard deviation of a patch. */
function moments(image: Float32Array): { mean: number; sd: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < image.length; i++) {
    const v = image[i]!;
    s += v;
    s2 += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / image.length;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / image.length - mean * mean)), min, max };
}

/** Separable in-plane Gaussian blur of every z plane, in place. */
export function blurInPlane(image: Float32Array, size: readonly number[], sigma: number): void {
  const [sx, sy, sz] = size as [number, number, number];
  const radius = Math.max(1, Math.ceil(2.5 * sigma));
  const kernel = Float32Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= total;
  const row = new Float32Array(Math.max(sx, sy));
  for (let z = 0; z < sz; z++) {
    const base = z * sx * sy;
    for (let y = 0; y < sy; y++) {
      for (let x = 0; x < sx; x++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const xi = Math.min(sx - 1, Math.max(0, x + k));
          acc += kernel[k + radius]! * image[base + y * sx + xi]!;
        }
        row[x] = acc;
      }
      image.set(row.subarray(0, sx), base + y * sx);
    }
    for (let x = 0; x < sx; x++) {
      for (let y = 0; y < sy; y++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const yi = Math.min(sy - 1, Math.max(0, y + k));
          acc += kernel[k + radius]! * image[base + yi * sx + x]!;
        }
        row[y] = acc;
      }
      for (let y = 0; y < sy; y++) image[base + y * sx + x] = row[y]!;
    }
  }
}

/** Nearest-neighbour down-sampling in-plane by `zoom` and bilinear back up, in place. */
export function simulateLowResolution(image: Float32Array, size: readonly number[], zoom: number): void {
  const [sx, sy, sz] = size as [number, number, number];
  const lx = Math.max(1, Math.round(sx * zoom));
  const ly = Math.max(1, Math.round(sy * zoom));
  const low = new Float32Array(lx * ly);
  for (let z = 0; z < sz; z++) {
    const base = z * sx * sy;
    for (let y = 0; y < ly; y++)
      for (let x = 0; x < lx; x++)
        low[y * lx + x] =
          image[
            base +
              Math.min(sy - 1, Math.floor(((y + 0.5) * sy) / ly)) * sx +
              Math.min(sx - 1, Math.floor(((x + 0.5) * sx) / lx))
          ]!;
    for (let y = 0; y < sy; y++) {
      const fy = Math.min(Math.max(((y + 0.5) * ly) / sy - 0.5, 0), ly - 1);
      const y0 = Math.min(Math.floor(fy), Math.max(ly - 2, 0));
      const ty = ly > 1 ? fy - y0 : 0;
      const y1 = Math.min(y0 + 1, ly - 1);
      for (let x = 0; x < sx; x++) {
        const fx = Math.min(Math.max(((x + 0.5) * lx) / sx - 0.5, 0), lx - 1);
        const x0 = Math.min(Math.floor(fx), Math.max(lx - 2, 0));
        const tx = lx > 1 ? fx - x0 : 0;
        const x1 = Math.min(x0 + 1, lx - 1);
        image[base + y * sx + x] =
          (low[y0 * lx + x0]! * (1 - tx) + low[y0 * lx + x1]! * tx) * (1 - ty) +
          (low[y1 * lx + x0]! * (1 - tx) + low[y1 * lx + x1]! * tx) * ty;
      }
    }
  }
}

/** The intensity part of the augmentation, in place on an image patch of `size`. */
export function augmentIntensity(
  image: Float32Array,
  size: readonly [number, number, number],
  rng: () => number,
  o: PatchAugmentOptions = defaultPatchAugment,
): void {
  if (rng() < o.lowResolution.p) simulateLowResolution(image, size, between(rng, o.lowResolution.min, 1));
  if (rng() < o.noise.p) {
    const sd = between(rng, 0, o.noise.sd) * moments(image).sd;
    for (let i = 0; i < image.length; i++) image[i]! += sd * gaussian(rng);
  }
  if (rng() < o.blur.p) blurInPlane(image, size, between(rng, o.blur.min, o.blur.max));
  if (rng() < o.brightness.p) {
    const f = between(rng, o.brightness.min, o.brightness.max);
    for (let i = 0; i < image.length; i++) image[i]! *= f;
  }
  if (rng() < o.contrast.p) {
    const f = between(rng, o.contrast.min, o.contrast.max);
    const { mean, min, max } = moments(image);
    for (let i = 0; i < image.length; i++)
      image[i] = Math.min(max, Math.max(min, (image[i]! - mean) * f + mean));
  }
  if (rng() < o.gamma.p) {
    const inverted = rng() < o.gamma.invertedP;
    // nnU-Net draws γ below 1 half of the time, else above 1.
    const g = rng() < 0.5 && o.gamma.min < 1 ? between(rng, o.gamma.min, 1) : between(rng, 1, o.gamma.max);
    const { mean, sd, min, max } = moments(image);
    const range = max - min || 1;
    for (let i = 0; i < image.length; i++) {
      const u = (image[i]! - min) / range;
      image[i] = (inverted ? 1 - (1 - u) ** g : u ** g) * range + min;
    }
    // Keep the patch's mean and sd, as nnU-Net's retain_stats.
    const after = moments(image);
    const k = after.sd > 0 ? sd / after.sd : 1;
    for (let i = 0; i < image.length; i++) image[i] = (image[i]! - after.mean) * k + mean;
  }
}
