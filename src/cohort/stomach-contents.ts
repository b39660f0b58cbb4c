// What the stomach holds at scan time. A fasting patient's stomach is collapsed; others hold a meal
// (mottled soft tissue with gas bubbles), swallowed air, water or positive oral contrast, and lying
// supine the gas rises to the front over an air–fluid level. One source scan shows one of these
// states, so a model trained on it alone meets the others as unknown tissue. The lumen (the stomach less a wall of `WALL_MM`) is refilled in the source's
// own space before the warp; the warp then distends the whole stomach (see `STOMACH_DISTENSION`).
// The label is unchanged: BTCV and TotalSegmentator label the stomach with its contents.
import type { Random } from '../phantom/random.js';
import { gaussianAlongAxis } from './acquisition.js';

export type StomachFilling = 'as scanned' | 'food' | 'gas and fluid' | 'fluid' | 'oral contrast';

/** Relative frequencies of the states (fasting abdominal CT: many stomachs hold some gas or water). */
export const STOMACH_FILLINGS: Readonly<Record<StomachFilling, number>> = {
  'as scanned': 0.25,
  food: 0.25,
  'gas and fluid': 0.3,
  fluid: 0.12,
  'oral contrast': 0.08,
};

/**
 * Radial scale of a filled stomach about its centre (an empty one keeps the source's size). A fasting
 * stomach holds ~50 mL, a fed one a litre or more (radially ×2.5), so the top of the range is the
 * largest factor the organ scaling keeps one-to-one (deformation.ts); at the stomach's edge it
 * enlarges ×1.5. Until 2026-12-08 the range stopped at 1.45: patient B's fed stomach has 2.7× the
 * cross-section of A's collapsed one, beyond every grown case.
 */
export const STOMACH_DISTENSION: [number, number] = [1.1, 1.8];

/**
 * A meal's mean HU and its texture's standard deviation. Chyme ranges from fatty (near water) to
 * protein-rich and fibrous (soft tissue, 60–80 HU); the first range (15–50) missed patient B's
 * fundus, whose food measures 60–66 HU (sd ≈ 45 at 1 mm).
 */
export const MEAL_HU: [number, number] = [15, 80];
export const MEAL_SD: [number, number] = [10, 40];

/** Gastric wall kept from the source, mm (a distended wall is 2–5 mm). */
const WALL_MM = 3;

export interface StomachTarget {
  image: Float32Array;
  labels: ArrayLike<number>;
  dims: [number, number, number];
  spacing: [number, number, number];
}

export interface StomachContents {
  filling: StomachFilling;
  /** Lumen voxels refilled (0 when the stomach was left as scanned or has no lumen). */
  voxels: number;
  /** Share of the lumen, front to back, taken by gas. */
  gasFraction: number;
}

/** Draws the state by `STOMACH_FILLINGS`. */
export function drawStomachFilling(rng: Random): StomachFilling {
  return rng.weighted(STOMACH_FILLINGS);
}

/**
 * Refills the stomach's lumen in place for `filling`. Volumes are RAS (y grows to the front), so the
 * gas lies at the highest y of the lumen and the air–fluid level is a plane of constant y.
 */
export function fillStomach(
  target: StomachTarget,
  stomachValues: number[],
  filling: StomachFilling,
  rng: Random,
): StomachContents {
  const none = { filling, voxels: 0, gasFraction: 0 };
  if (filling === 'as scanned' || stomachValues.length === 0) return none;
  const lumen = erodedMask(target, new Set(stomachValues), WALL_MM);
  const voxels: number[] = [];
  for (let i = 0; i < lumen.length; i++) if (lumen[i]) voxels.push(i);
  if (voxels.length === 0) return none;
  const { image, dims } = target;
  const nx = dims[0];
  const ny = dims[1];
  const yOf = (i: number) => Math.floor(i / nx) % ny;
  let yMin = ny;
  let yMax = -1;
  for (const i of voxels) {
    yMin = Math.min(yMin, yOf(i));
    yMax = Math.max(yMax, yOf(i));
  }
  const gasFraction =
    filling === 'gas and fluid'
      ? rng.uniform(0.25, 0.85)
      : filling === 'oral contrast'
        ? rng.uniform(0, 0.4)
        : filling === 'food'
          ? rng.uniform(0, 0.2)
          : 0;
  // Voxels in front of the level hold gas; the level sits `gasFraction` of the lumen's depth from the front.
  const level = yMax + 0.5 - gasFraction * (yMax - yMin + 1);
  const gasHu = rng.uniform(-1000, -850);
  const content =
    filling === 'food'
      ? mottled(target, voxels, rng.uniform(...MEAL_HU), rng.uniform(...MEAL_SD), rng)
      : undefined;
  const fluidHu = filling === 'oral contrast' ? rng.uniform(150, 400) : rng.uniform(0, 30);
  const bubbles = filling === 'food' ? rng.uniform(0.01, 0.05) : 0;
  for (const [n, i] of voxels.entries()) {
    const gas = (gasFraction > 0 && yOf(i) + 0.5 > level) || (bubbles > 0 && rng.chance(bubbles));
    // Fluid and contrast are nearly uniform; a little grain keeps them from being flat.
    image[i] = gas
      ? gasHu + rng.normal(0, 20)
      : content
        ? content[n]!
        : fluidHu + rng.normal(0, filling === 'oral contrast' ? 15 : 5);
  }
  return { filling, voxels: voxels.length, gasFraction };
}

/**
 * A meal's texture at `voxels`: mean `hu`, standard deviation `sd`, in blobs a few millimetres across
 * (white noise smoothed over ≈ 4 mm), as chewed food mixed with fluid looks on CT.
 */
function mottled(target: StomachTarget, voxels: number[], hu: number, sd: number, rng: Random): Float32Array {
  const { dims, spacing } = target;
  const field = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (const i of voxels) field[i] = rng.normal(0, 1);
  for (const axis of [0, 1, 2] as const) gaussianAlongAxis(field, dims, axis, 4 / spacing[axis]!);
  // Smoothing leaves few independent blobs in a small lumen: centre and rescale to the drawn mean and sd.
  let sum = 0;
  for (const i of voxels) sum += field[i]!;
  const centre = sum / voxels.length;
  let sum2 = 0;
  for (const i of voxels) sum2 += (field[i]! - centre) ** 2;
  const scale = sd / Math.sqrt(sum2 / voxels.length || 1);
  return Float32Array.from(voxels, (i) => hu + scale * (field[i]! - centre));
}

/** The voxels of `values` farther than `mm` from any other voxel, by repeated 6-neighbour erosion. */
function erodedMask(target: StomachTarget, values: Set<number>, mm: number): Uint8Array {
  const { labels, dims, spacing } = target;
  const [nx, ny, nz] = dims;
  let mask = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (values.has(labels[i]!)) mask[i] = 1;
  // Each axis erodes as many voxels as fit in the wall along it (thick slices erode less along z).
  const steps = spacing.map((s) => Math.max(0, Math.round(mm / s)));
  for (let pass = 0; pass < Math.max(...steps); pass++) {
    const next = mask.slice();
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const i = x + nx * (y + ny * z);
          if (!mask[i]) continue;
          const off = (axis: number, d: number): boolean => {
            if (pass >= steps[axis]!) return false;
            const c = [x, y, z][axis]! + d;
            if (c < 0 || c >= dims[axis]!) return true;
            return !mask[i + d * [1, nx, nx * ny][axis]!];
          };
          if (off(0, -1) || off(0, 1) || off(1, -1) || off(1, 1) || off(2, -1) || off(2, 1)) next[i] = 0;
        }
    mask = next;
  }
  return mask;
}
