// An MR scan with a label map as a second real anatomy for a CT cohort: each labelled structure gets
// the Hounsfield value of its tissue, the unlabelled body a mixture of soft tissue and fat read from
// the MR's own brightness, the outside air. A pseudo-CT keeps what an MR can give a CT model — where
// a real person's organs lie and how they touch — and none of MR's contrast. It is unenhanced (its
// aorta is blood at ~42 HU), so the cohort's contrast phases apply to it as to an unenhanced CT.
//
// Assumptions, all stated so a user can judge them:
// - The sequence shows fat bright and water-rich tissue dark (T1-weighted, or the fat image of a
//   Dixon series, as the shared `mr-abdomen` scan is: muscle median 14, subcutaneous fat ~500). A
//   sequence with dark fat is refused (its unlabelled tissue would turn into fat).
// - Unlabelled voxels are soft tissue (45 HU) at or below the brightness of the labelled muscles (or
//   of the darkest labelled organs, without muscle labels) and fat (−100 HU) at the body's fat
//   level, linear between (partial volume). What the label map does not name — ribs, gas in
//   unlabelled bowel — is not reconstructed: ribs are absent from a pseudo-CT.
// - Labelled structures keep their internal MR texture, scaled to ±3 HU per robust sd (at most ±9):
//   vessels inside the liver and the renal medulla stay visible without MR contrast taking over.
import { fileError } from '../errors.js';
import { sliceInterior } from '../volume/slice-interior.js';
import { enhancementClass, PHASE_HU } from './contrast-phase.js';
import { normalizeClassName } from './label-scheme.js';

/** HU of fat and of unlabelled soft tissue. */
const FAT_HU = -100;
const SOFT_TISSUE_HU = 45;
const AIR_HU = -1000;
/** Texture: HU per robust sd of the structure's MR values, and the largest excursion in sds. */
const TEXTURE_HU_PER_SD = 3;
const TEXTURE_MAX_SD = 3;

/** Bone labels (after the discs and the cord, whose names also say "vertebra" or "spinal"). */
const BONE = /vertebra|sacrum|rib|femur|hip|bone|skull|sternum|clavic|scapula|humerus/;

/** Unenhanced HU of tissues that do not enhance (or whose class shifts relative to unenhanced). */
const STATIC_HU: readonly [RegExp, number][] = [
  [/lung|trachea/, -850],
  [/cyst|gallbladder|bladder/, 8],
  [/intervertebral|disc/, 80],
  [/spinal cord|spinal canal/, 35],
  [BONE, 220],
  [/autochthon|iliopsoas|psoas|gluteus|muscle/, 50],
  [/stomach|bowel|duoden|colon|esophag|rectum/, 35],
];
/** Cortical bone: the outer shell of a bone label. */
const CORTICAL_HU = 700;

/** The unenhanced HU a structure of this name gets in a pseudo-CT. */
export function unenhancedHu(name: string): number {
  const row = staticRow(name);
  if (row) return row[1];
  const cls = enhancementClass(name);
  if (cls) {
    const [lo, hi] = PHASE_HU[cls]['non-contrast'];
    if (hi > 0) return (lo + hi) / 2;
  }
  return SOFT_TISSUE_HU;
}

/** The first row of `STATIC_HU` whose pattern the name matches. */
function staticRow(name: string): readonly [RegExp, number] | undefined {
  const n = normalizeClassName(name);
  return STATIC_HU.find(([pattern]) => pattern.test(n));
}

function isBone(name: string): boolean {
  return staticRow(name)?.[0] === BONE;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * A pseudo-CT (HU) of a labelled MR volume (see the file comment); `path` names the MR in errors.
 *
 * @example const hu = pseudoCtFromMr(mr.data, labels.data, [117, 91, 20], names, 'mr.nii.gz')
 */
export function pseudoCtFromMr(
  image: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: [number, number, number],
  names: Record<number, string>,
  path: string,
): Float32Array {
  const n = dims[0] * dims[1] * dims[2];
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l === 0 || !names[l]) continue;
    let values = byLabel.get(l);
    if (!values) byLabel.set(l, (values = []));
    values.push(image[i]!);
  }
  if (byLabel.size === 0) throw fileError(path, 'the label map names no structure on this MR');
  const stats = new Map<number, { median: number; sd: number }>();
  for (const [l, values] of byLabel) {
    const m = median(values);
    const mad = median(values.map((v) => Math.abs(v - m)));
    stats.set(l, { median: m, sd: Math.max(1.4826 * mad, 1e-6) });
  }
  // Soft-tissue brightness: the labelled muscles, else the darker half of the labelled organs.
  const muscles = [...stats].filter(([l]) =>
    /autochthon|psoas|muscle|gluteus/.test(normalizeClassName(names[l]!)),
  );
  const organMedians = [...stats.values()].map((s) => s.median).sort((a, b) => a - b);
  const soft =
    muscles.length > 0
      ? median(muscles.map(([, s]) => s.median))
      : organMedians[Math.floor((organMedians.length - 1) / 2)]!;
  // Fat: the bright end of the unlabelled voxels that are brighter than soft tissue.
  const brighter: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] === 0 && image[i]! > soft) brighter.push(image[i]!);
  brighter.sort((a, b) => a - b);
  const fat = brighter.length > 0 ? brighter[Math.floor(0.9 * (brighter.length - 1))]! : Number.NaN;
  if (!(fat > soft * 2 + 1e-6))
    throw fileError(
      path,
      `no bright fat found (unlabelled tissue up to ${Number.isFinite(fat) ? fat.toFixed(0) : 'n/a'} vs soft tissue ${soft.toFixed(0)}): ` +
        'a pseudo-CT needs an MR with bright fat (T1-weighted or a Dixon fat image)',
    );
  // The body: inside the ring of bright subcutaneous fat (dark muscle and gas within it included).
  const body = sliceInterior(image, dims, soft + 0.25 * (fat - soft));
  const hu = new Float32Array(n);
  const tissue = new Map<number, number>();
  const bone = new Set<number>();
  for (const l of stats.keys()) {
    tissue.set(l, unenhancedHu(names[l]!));
    if (isBone(names[l]!)) bone.add(l);
  }
  const [nx, ny] = dims;
  const sameAround = (i: number, l: number) => {
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    return (
      x > 0 &&
      x < nx - 1 &&
      y > 0 &&
      y < ny - 1 &&
      labels[i - 1] === l &&
      labels[i + 1] === l &&
      labels[i - nx] === l &&
      labels[i + nx] === l
    );
  };
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    const s = l === 0 ? undefined : stats.get(l);
    if (s) {
      const z = Math.max(-TEXTURE_MAX_SD, Math.min(TEXTURE_MAX_SD, (image[i]! - s.median) / s.sd));
      // Bone: a cortical shell around cancellous marrow (in plane: slices are often thick).
      const base = bone.has(l) && !sameAround(i, l) ? CORTICAL_HU : tissue.get(l)!;
      hu[i] = base + TEXTURE_HU_PER_SD * z;
    } else if (body[i] === 1) {
      const fatFraction = Math.max(0, Math.min(1, (image[i]! - soft) / (fat - soft)));
      hu[i] = SOFT_TISSUE_HU + fatFraction * (FAT_HU - SOFT_TISSUE_HU);
    } else hu[i] = AIR_HU;
  }
  return hu;
}
