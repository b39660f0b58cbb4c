// Contrast phase: organ-wise Hounsfield shifts that turn a scan of one phase into another. Each
// labelled structure is moved from its measured median to a value drawn from the range that organ
// has in the target phase; the shift field is smoothed over a voxel so organ borders keep a partial
// volume edge instead of a cut.
//
// Ranges (HU, mean attenuation of parenchyma or lumen) are typical published values, not measured on
// any patient of this project: unenhanced organ densities (liver 50–65, spleen 40–50, kidney 30–40,
// blood 35–50) as in standard CT texts; enhancement in the late arterial (~35 s) and portal venous
// (~70 s) phases after a weight-based iodine bolus from Bae, "Intravenous contrast medium
// administration and scan timing at CT", Radiology 2010;256:32–61 (aortic peak 250–350 HU, hepatic
// enhancement ≥ 50 HU over baseline in portal venous phase, splenic and renal cortical enhancement
// early), and the corticomedullary → nephrographic renal phases (renal cortex 140–200 HU).
import type { Random } from '../phantom/random.js';
import { normalizeClassName } from './label-scheme.js';

export type ContrastPhase = 'non-contrast' | 'arterial' | 'portal-venous';

export const CONTRAST_PHASES: readonly ContrastPhase[] = ['non-contrast', 'arterial', 'portal-venous'];

/** Tissue classes that enhance differently; a class name is found from the structure's name. */
export type EnhancementClass =
  | 'artery'
  | 'portal vein'
  | 'vein'
  | 'heart'
  | 'liver'
  | 'spleen'
  | 'kidney'
  | 'pancreas'
  | 'adrenal'
  | 'bowel wall'
  | 'muscle'
  | 'thyroid';

type Range = [number, number];

/** Mean HU per class and phase; 'muscle' and 'bowel wall' are shifts relative to unenhanced. */
export const PHASE_HU: Readonly<Record<EnhancementClass, Record<ContrastPhase, Range>>> = {
  artery: { 'non-contrast': [35, 50], arterial: [220, 380], 'portal-venous': [140, 210] },
  'portal vein': { 'non-contrast': [35, 48], arterial: [100, 180], 'portal-venous': [150, 210] },
  vein: { 'non-contrast': [35, 48], arterial: [60, 130], 'portal-venous': [110, 170] },
  heart: { 'non-contrast': [35, 50], arterial: [200, 320], 'portal-venous': [130, 180] },
  liver: { 'non-contrast': [40, 65], arterial: [65, 90], 'portal-venous': [95, 125] },
  spleen: { 'non-contrast': [40, 52], arterial: [100, 140], 'portal-venous': [105, 135] },
  kidney: { 'non-contrast': [28, 38], arterial: [140, 210], 'portal-venous': [150, 210] },
  pancreas: { 'non-contrast': [35, 50], arterial: [95, 135], 'portal-venous': [85, 110] },
  adrenal: { 'non-contrast': [15, 35], arterial: [55, 90], 'portal-venous': [50, 75] },
  thyroid: { 'non-contrast': [90, 120], arterial: [150, 220], 'portal-venous': [130, 180] },
  'bowel wall': { 'non-contrast': [0, 0], arterial: [15, 35], 'portal-venous': [15, 30] },
  muscle: { 'non-contrast': [0, 0], arterial: [3, 10], 'portal-venous': [5, 15] },
};

/** Classes shifted relative to their unenhanced value (mixed contents: only soft tissue moves). */
const RELATIVE: ReadonlySet<EnhancementClass> = new Set(['bowel wall', 'muscle']);

/** The enhancement class of a structure name (any scheme), or undefined for bone, fluid, air. */
export function enhancementClass(name: string): EnhancementClass | undefined {
  const n = normalizeClassName(name);
  if (/cyst|gallbladder|bladder|lung|trachea|bone|vertebra|rib|sacrum|femur|hip|skull|cartilage/.test(n))
    return undefined;
  if (/portal|splenic vein|mesenteric vein/.test(n)) return 'portal vein';
  if (/aorta|arter|brachiocephalic trunk/.test(n)) return 'artery';
  if (/vena|vein|cava/.test(n)) return 'vein';
  if (/heart|atri|ventric|myocard/.test(n)) return 'heart';
  if (/liver|hepat/.test(n)) return 'liver';
  if (/spleen/.test(n)) return 'spleen';
  if (/kidney|renal/.test(n)) return 'kidney';
  if (/pancrea/.test(n)) return 'pancreas';
  if (/adrenal/.test(n)) return 'adrenal';
  if (/thyroid/.test(n)) return 'thyroid';
  if (/stomach|bowel|duoden|colon|esophag|rectum/.test(n)) return 'bowel wall';
  if (/gluteus|autochthon|iliopsoas|psoas|muscle/.test(n)) return 'muscle';
  return undefined;
}

/**
 * The phase of a scan guessed from its labelled aorta (or other artery): unenhanced blood is below
 * ~60 HU, arterial phase above ~220 HU. Undefined when no artery is labelled.
 */
export function estimatePhase(
  medians: Map<number, number>,
  names: Record<number, string>,
): ContrastPhase | undefined {
  const artery = [...medians].find(([value]) => enhancementClass(names[value] ?? '') === 'artery');
  if (!artery) return undefined;
  const hu = artery[1];
  return hu < 80 ? 'non-contrast' : hu > 230 ? 'arterial' : 'portal-venous';
}

/** Median HU of each label's voxels within the soft-tissue window (gas and calcium left out). */
export function labelMedians(
  image: Float32Array,
  labels: ArrayLike<number>,
  maxLabel: number,
): Map<number, number> {
  const bins = 501; // -100 … 400 HU in 1-HU bins
  const histograms = new Map<number, Uint32Array>();
  for (let i = 0; i < image.length; i++) {
    const l = labels[i]!;
    if (l === 0 || l > maxLabel) continue;
    const b = Math.round(image[i]!) + 100;
    if (b < 0 || b >= bins) continue;
    let h = histograms.get(l);
    if (!h) histograms.set(l, (h = new Uint32Array(bins)));
    h[b]!++;
  }
  const medians = new Map<number, number>();
  for (const [l, h] of histograms) {
    let total = 0;
    for (const c of h) total += c;
    let seen = 0;
    for (let b = 0; b < bins; b++) {
      seen += h[b]!;
      if (seen * 2 >= total) {
        medians.set(l, b - 100);
        break;
      }
    }
  }
  return medians;
}

/**
 * How far a case's enhancement goes towards its phase's typical values. Dose per kilogram, injection
 * rate, cardiac output and the exact delay differ between patients, so real scans fill the space
 * between and around the textbook phases: a portal-venous liver at 75 or at 125 HU, a spleen darker
 * or brighter than the liver, an IVC that still mixes unopacified blood. One factor per case (bolus
 * and timing), scaled per tissue class (each organ's own perfusion).
 */
export const ENHANCEMENT_STRENGTH = { case: [0.5, 1.1], perClass: [0.8, 1.2] } as const;

/** Shift (HU) per source label value for a case in `phase`, drawn once per case. */
export function phaseShifts(
  phase: ContrastPhase,
  sourcePhase: ContrastPhase | undefined,
  medians: Map<number, number>,
  names: Record<number, string>,
  rng: Random,
): Map<number, number> {
  const shifts = new Map<number, number>();
  // One draw per class keeps paired organs (both kidneys) and the vessels of one tree consistent.
  const drawn = new Map<EnhancementClass, { t: number; strength: number }>();
  const from = sourcePhase ?? 'non-contrast';
  const caseStrength = rng.uniform(...ENHANCEMENT_STRENGTH.case);
  for (const [value, median] of medians) {
    const cls = enhancementClass(names[value] ?? '');
    if (!cls) continue;
    if (!drawn.has(cls))
      drawn.set(cls, {
        t: rng.next(),
        strength: caseStrength * rng.uniform(...ENHANCEMENT_STRENGTH.perClass),
      });
    const { t, strength } = drawn.get(cls)!;
    const [lo, hi] = PHASE_HU[cls][phase];
    const [nlo, nhi] = PHASE_HU[cls]['non-contrast'];
    // Enhanced phases go `strength` of the way from unenhanced tissue to the drawn phase value.
    const toward = (unenhanced: number, value: number) =>
      phase === 'non-contrast' ? value : unenhanced + strength * (value - unenhanced);
    if (RELATIVE.has(cls)) {
      const [flo, fhi] = PHASE_HU[cls][from];
      shifts.set(value, toward(0, lo + t * (hi - lo)) - (flo + 0.5 * (fhi - flo)));
    } else if (phase === from) {
      // Same phase as the source: keep its own values, varied by a few HU.
      shifts.set(value, (t - 0.5) * 10);
    } else {
      // The source voxel's unenhanced value: its own median when the source is unenhanced.
      const unenhanced = from === 'non-contrast' ? median : nlo + 0.5 * (nhi - nlo);
      shifts.set(value, toward(unenhanced, lo + t * (hi - lo)) - median);
    }
  }
  return shifts;
}

/**
 * Adds each label's shift to `image` in place: only voxels in the soft-tissue window move (bowel gas,
 * calcification and bone keep their values); voxels just outside a structure take the shift smoothed
 * with a [1 2 1]/4 kernel along each axis, the partial volume of its edge.
 */
export function applyPhaseShifts(
  image: Float32Array,
  labels: ArrayLike<number>,
  dims: [number, number, number],
  shifts: Map<number, number>,
): void {
  const field = new Float32Array(image.length);
  let any = false;
  for (let i = 0; i < image.length; i++) {
    const s = shifts.get(labels[i]!);
    if (s !== undefined) {
      field[i] = s;
      any = true;
    }
  }
  if (!any) return;
  const own = field.slice();
  smooth121(field, dims);
  for (let i = 0; i < image.length; i++) {
    const v = image[i]!;
    // A structure's own voxels take its whole shift; its neighbours the smoothed spill-over.
    const shift = shifts.has(labels[i]!) ? own[i]! : field[i]!;
    if (v > -150 && v < 350) image[i] = v + shift;
  }
}

/** In-place separable [1 2 1]/4 smoothing along x, y and z (edges replicate). */
export function smooth121(data: Float32Array, dims: [number, number, number]): void {
  const [nx, ny, nz] = dims;
  const strides = [1, nx, nx * ny];
  const sizes = [nx, ny, nz];
  for (let axis = 0; axis < 3; axis++) {
    const n = sizes[axis]!;
    if (n < 2) continue;
    const stride = strides[axis]!;
    const line = new Float32Array(n);
    const lines = data.length / n;
    for (let l = 0; l < lines; l++) {
      // The start of line l: every index whose coordinate along `axis` is 0.
      const start = axis === 0 ? l * nx : axis === 1 ? (l % nx) + Math.floor(l / nx) * nx * ny : l;
      for (let t = 0; t < n; t++) line[t] = data[start + t * stride]!;
      for (let t = 0; t < n; t++) {
        const a = line[Math.max(0, t - 1)]!;
        const b = line[Math.min(n - 1, t + 1)]!;
        data[start + t * stride] = 0.25 * a + 0.5 * line[t]! + 0.25 * b;
      }
    }
  }
}
