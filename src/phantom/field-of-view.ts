// Applies a scan range to a generated case: the slices outside it are cropped away (the affine moves
// so that every kept voxel stays at the same place in the patient; orientation and spacing are
// untouched), organs left with only a sliver are relabelled background, and the findings keep only
// what the scan still shows. The image, the label map and the report then agree on every organ.
import { cropToBox, type VoxelBox } from '../volume/crop.js';
import type { Volume } from '../volume/volume.js';
import type { PhantomFindings } from './findings.js';
import type { Phantom } from './generate.js';
import { BTCV_LABELS, PHANTOM_ORGANS, type PhantomOrgan } from './organs.js';
import { Random } from './random.js';
import { drawScanRange, type ScanLandmarks, type ScanRange, type ScanRangeKind } from './scan-range.js';

/**
 * An organ whose remnant in the scanned range is under both limits is not visualised: its label is
 * removed and the report says it is not included. Such a remnant is the tip of an organ in the first
 * or last slices, which a radiologist would not report; the label map and the report then agree. Its
 * tissue stays in the image (the scanner saw it): at most a tenth of one organ and under 5 mL, at the
 * slab's edge. The volume limit matters for the large organs: 10 % of an enlarged liver is a hand's
 * breadth of tissue that no reader would miss (measured: 285 mL in one case of the seed-7 cohort).
 */
export const MIN_VISIBLE_FRACTION = 0.1;
export const MAX_SLIVER_ML = 5;

/** Whether `inside` of an organ's `total` voxels (of `voxelMl` each) is too little to report. */
export function notVisualised(inside: number, total: number, voxelMl: number): boolean {
  return inside < MIN_VISIBLE_FRACTION * total && inside * voxelMl < MAX_SLIVER_ML;
}

/**
 * Fewest organs a range must show; a range with fewer is drawn again. Three, not more: below the liver
 * a body after a nephrectomy shows only the other kidney, the aorta and the IVC, and a floor of four
 * would never leave the liver out of such a case (liver absent in 18 % of ranges instead of 22 %:
 * 40 cases of seed 7 at 128×128×64, variation 2.5, 10 draws each).
 */
export const MIN_VISIBLE_ORGANS = 3;
const MAX_DRAWS = 20;

/**
 * Tubes every abdominal scan cuts. Reports describe their abdominal segment whatever the range ("the
 * abdominal aorta is normal in caliber"), and no size is stated for them, so they are never called cut.
 */
const THROUGH_GOING: ReadonlySet<PhantomOrgan> = new Set(['aorta', 'inferior vena cava', 'esophagus']);

/** What a case's scan covered, as stored beside its report in `pairs.jsonl`. */
export interface PhantomFieldOfView {
  kind: ScanRangeKind;
  /** RAS z (mm) of the centres of the first and last kept slices. */
  zMm: [number, number];
  /** Kept slices of the generated grid, first inclusive, last exclusive. */
  slices: [number, number];
  /** Organs drawn but not visualised: out of the range, or only a sliver in it. */
  outside: PhantomOrgan[];
  /** Organs visualised but running past the first or last slice: said to be partially imaged. */
  cut: PhantomOrgan[];
}

/** Salt of a case's scan-range stream: drawn apart from the anatomy's streams and from other cases. */
const SCAN_RANGE_SALT = 0x5ca7_7a9e;

/**
 * The random stream of the scan range of the case generated from `seed`: a function of that seed
 * alone, so a case's range does not depend on the cases written before it or on their redraws.
 */
export function scanRangeStream(seed: number): Random {
  return new Random((seed ^ SCAN_RANGE_SALT) >>> 0);
}

/** Voxels of each label value per slice: `counts[value][k]`. */
export function organSliceCounts(label: Volume<Uint8Array>): Int32Array[] {
  const [nx = 1, ny = 1, nz = 1] = label.dims;
  const counts = Array.from({ length: 256 }, () => new Int32Array(nz));
  const plane = nx * ny;
  for (let v = 0; v < label.data.length; v++) counts[label.data[v]!]![Math.floor(v / plane)]!++;
  return counts;
}

/** RAS z of slice k's centre on the phantom's grid (its affine is diagonal). */
const sliceZ = (volume: Volume, k: number) => volume.affine[2]![2]! * k + volume.affine[2]![3]!;

/** The dome, the liver's tip and the volume's edges, measured on the label map. */
export function scanLandmarks(label: Volume<Uint8Array>, counts: Int32Array[]): ScanLandmarks | null {
  const nz = label.dims[2] ?? 1;
  const half = Math.abs(label.affine[2]![2]!) / 2;
  const z = Array.from({ length: nz }, (_, k) => sliceZ(label, k));
  const liver = z.filter((_, k) => counts[BTCV_LABELS.liver]![k]! > 0);
  if (liver.length === 0) return null;
  return {
    volumeTop: Math.max(...z) + half,
    volumeBottom: Math.min(...z) - half,
    dome: Math.max(...liver) + half,
    liverTip: Math.min(...liver) - half,
  };
}

interface Coverage {
  slices: [number, number];
  visible: PhantomOrgan[];
  outside: PhantomOrgan[];
  cut: PhantomOrgan[];
}

/** Which organs `range` shows: slices whose centre lies in it, organs unless `notVisualised`. */
function coverage(label: Volume<Uint8Array>, counts: Int32Array[], range: ScanRange): Coverage | null {
  const nz = label.dims[2] ?? 1;
  const kept = Array.from({ length: nz }, (_, k) => k).filter((k) => {
    const z = sliceZ(label, k);
    return z >= range.bottom && z <= range.top;
  });
  if (kept.length === 0) return null;
  const [k0, k1] = [kept[0]!, kept[kept.length - 1]! + 1];
  const result: Coverage = { slices: [k0, k1], visible: [], outside: [], cut: [] };
  const voxelMl = (label.spacing[0] * label.spacing[1] * label.spacing[2]) / 1000;
  for (const organ of PHANTOM_ORGANS) {
    const perSlice = counts[BTCV_LABELS[organ]]!;
    let total = 0;
    let inside = 0;
    for (let k = 0; k < nz; k++) {
      total += perSlice[k]!;
      if (k >= k0 && k < k1) inside += perSlice[k]!;
    }
    if (total === 0) continue; // resected: the report says so, whatever the range
    if (notVisualised(inside, total, voxelMl)) {
      result.outside.push(organ);
      continue;
    }
    result.visible.push(organ);
    const atEdge = perSlice[k0]! > 0 || perSlice[k1 - 1]! > 0;
    if (atEdge && !THROUGH_GOING.has(organ)) result.cut.push(organ);
  }
  return result;
}

/**
 * Draws a scan range for `phantom` from `rng` (redrawn while it shows fewer than
 * `MIN_VISIBLE_ORGANS` organs) and returns the case as that scan sees it.
 *
 * @example const { phantom: seen, fieldOfView } = cropToScanRange(generatePhantom({ seed }), rng)
 */
export function cropToScanRange(
  phantom: Phantom,
  rng: Random,
): { phantom: Phantom; fieldOfView: PhantomFieldOfView } {
  const counts = organSliceCounts(phantom.label);
  const landmarks = scanLandmarks(phantom.label, counts);
  const nz = phantom.label.dims[2] ?? 1;
  const whole: ScanRange = { kind: 'abdomen', top: Infinity, bottom: -Infinity };
  let range = whole;
  let covered = coverage(phantom.label, counts, whole)!;
  for (let draw = 0; landmarks && draw < MAX_DRAWS; draw++) {
    const candidate = drawScanRange(rng, landmarks);
    const seen = coverage(phantom.label, counts, candidate);
    if (seen && seen.visible.length >= MIN_VISIBLE_ORGANS) {
      [range, covered] = [candidate, seen];
      break;
    }
  }
  const [k0, k1] = covered.slices;
  const slab: VoxelBox = { start: [0, 0, k0], end: [phantom.label.dims[0]!, phantom.label.dims[1]!, k1] };
  const image = cropToBox(phantom.image, slab) as Phantom['image'];
  const label = cropToBox(phantom.label, slab) as Phantom['label'];
  const hidden = new Set(covered.outside.map((o) => BTCV_LABELS[o]));
  for (let v = 0; v < label.data.length; v++) if (hidden.has(label.data[v]!)) label.data[v] = 0;
  const zs = [sliceZ(phantom.label, k0), sliceZ(phantom.label, k1 - 1)];
  const zMm: [number, number] = [Math.min(...zs), Math.max(...zs)];
  const thickness = Math.abs(phantom.label.affine[2]![2]!);
  const cropped: Phantom = {
    image,
    label,
    findings: visibleFindings(phantom.findings, covered, [zMm[0] - thickness / 2, zMm[1] + thickness / 2]),
    acquisition: { ...phantom.acquisition, lengthMm: (k1 - k0) * thickness },
  };
  const fieldOfView: PhantomFieldOfView = {
    kind: k1 - k0 === nz ? 'abdomen' : range.kind,
    zMm,
    slices: [k0, k1],
    outside: covered.outside,
    cut: covered.cut,
  };
  return { phantom: cropped, fieldOfView };
}

/**
 * The findings a report on the cropped scan can state: resections (known from the history, and
 * absent either way), sizes of organs seen whole (a cut organ cannot be sized), and lesions whose
 * centre lies in the scanned slab of an organ still shown.
 */
function visibleFindings(
  findings: PhantomFindings,
  covered: Coverage,
  slab: [number, number],
): PhantomFindings {
  const whole = (o: PhantomOrgan) => covered.visible.includes(o) && !covered.cut.includes(o);
  return {
    absent: findings.absent,
    enlarged: findings.enlarged.filter(whole),
    atrophic: findings.atrophic.filter(whole),
    lesions: findings.lesions.filter(
      (l) => covered.visible.includes(l.organ) && l.center[2] >= slab[0] && l.center[2] <= slab[1],
    ),
    procedures: findings.procedures,
  };
}
