/**
 * Augmentation for pre-training on Float32Array images (x fastest): random flips, small rotations
 * and scaling (one resampling pass, bilinear / trilinear), and intensity jitter. All randomness comes
 * from the caller's `rng` (uniform in [0, 1)), so a seeded run is repeatable.
 */

export interface AugmentOptions {
  /**
   * Probability of a left–right (x) flip. Default 0: a flip would turn "the left kidney" of the report
   * into the right one, so it is only safe for vocabularies without laterality.
   */
  flipXProbability?: number;
  /** Probability of an anterior–posterior (y) flip. Default 0.5. */
  flipYProbability?: number;
  /** Maximum in-plane rotation in degrees (uniform in ±). Default 10. */
  maxRotationDeg?: number;
  /** Maximum relative scale change (uniform in 1 ± s). Default 0.1. */
  maxScale?: number;
  /** Intensity jitter: multiply by 1 ± contrast, add ± brightness (images in [0, 1] or z-scores). */
  contrast?: number;
  brightness?: number;
}

const defaults: Required<AugmentOptions> = {
  flipXProbability: 0,
  flipYProbability: 0.5,
  maxRotationDeg: 10,
  maxScale: 0.1,
  contrast: 0.1,
  brightness: 0.1,
};

const uniform = (rng: () => number, half: number) => (rng() * 2 - 1) * half;

/** Value at (x, y) of a w×h image by bilinear interpolation; outside the image, `fill`. */
function bilinear(
  image: Float32Array,
  w: number,
  h: number,
  offset: number,
  x: number,
  y: number,
  fill: number,
) {
  if (x < -0.5 || y < -0.5 || x > w - 0.5 || y > h - 0.5) return fill;
  const xc = Math.min(Math.max(x, 0), w - 1);
  const yc = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.min(Math.floor(xc), Math.max(w - 2, 0));
  const y0 = Math.min(Math.floor(yc), Math.max(h - 2, 0));
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = xc - x0;
  const fy = yc - y0;
  const a = image[offset + y0 * w + x0]!;
  const b = image[offset + y0 * w + x1]!;
  const c = image[offset + y1 * w + x0]!;
  const d = image[offset + y1 * w + x1]!;
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

/**
 * Rotates by `angleDeg`, scales by `scale` and flips about the centre of each w×h plane of a stack of
 * `planes` planes (the same transform for all, so a 3D patch gets an in-plane transform consistent
 * across slices). Outside samples take the plane's minimum, i.e. background.
 */
export function transformPlanes(
  image: Float32Array,
  w: number,
  h: number,
  planes: number,
  transform: { angleDeg: number; scale: number; flipX: boolean; flipY: boolean },
): Float32Array {
  const out = new Float32Array(image.length);
  const cos = Math.cos((transform.angleDeg * Math.PI) / 180);
  const sin = Math.sin((transform.angleDeg * Math.PI) / 180);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let p = 0; p < planes; p++) {
    const offset = p * w * h;
    let fill = Number.POSITIVE_INFINITY;
    for (let i = 0; i < w * h; i++) fill = Math.min(fill, image[offset + i]!);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // Inverse map: output pixel → source position.
        let dx = (transform.flipX ? w - 1 - x : x) - cx;
        let dy = (transform.flipY ? h - 1 - y : y) - cy;
        dx /= transform.scale;
        dy /= transform.scale;
        const sx = cos * dx + sin * dy + cx;
        const sy = -sin * dx + cos * dy + cy;
        out[offset + y * w + x] = bilinear(image, w, h, offset, sx, sy, fill);
      }
    }
  }
  return out;
}

/** Multiplies by 1 ± contrast and adds ± brightness, in place. */
export function intensityJitter(
  image: Float32Array,
  rng: () => number,
  contrast: number,
  brightness: number,
): void {
  const gain = 1 + uniform(rng, contrast);
  const shift = uniform(rng, brightness);
  for (let i = 0; i < image.length; i++) image[i] = image[i]! * gain + shift;
}

/**
 * A random flip/rotation/scale/intensity augmentation of a w×h image or a w×h×planes patch.
 * Example: `augmentImage(slice, 64, 64, 1, rng)`.
 */
export function augmentImage(
  image: Float32Array,
  w: number,
  h: number,
  planes: number,
  rng: () => number,
  options: AugmentOptions = {},
): Float32Array {
  const o = { ...defaults, ...options };
  const out = transformPlanes(image, w, h, planes, {
    angleDeg: uniform(rng, o.maxRotationDeg),
    scale: 1 + uniform(rng, o.maxScale),
    flipX: rng() < o.flipXProbability,
    flipY: rng() < o.flipYProbability,
  });
  intensityJitter(out, rng, o.contrast, o.brightness);
  return out;
}
