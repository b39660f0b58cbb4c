// Which part of the body a scan covers. Real cohorts mix chest CTs that end in the upper abdomen,
// liver-protocol and renal scans, and abdomen–pelvis scans that start below the liver; their reports
// then say an organ is "not included in the field of view". A phantom cohort whose every volume
// covers the whole abdomen gives report pre-training nothing to localise: an organ present in every
// volume is a target any slice satisfies (docs/decisions/pretrain.md, last section).
import type { Random } from './random.js';

/** `full`: every case covers the generated volume (the default); `vary`: each case draws a range. */
export type ScanRangeMode = 'full' | 'vary';

/** The kinds of scan a `vary` cohort mixes, named by what they cover. */
export type ScanRangeKind =
  | 'abdomen'
  | 'lower chest'
  | 'upper abdomen'
  | 'mid-liver down'
  | 'below the liver';

/** Superior–inferior landmarks of one generated case, in RAS z millimetres (superior is larger). */
export interface ScanLandmarks {
  /** Outer edges of the generated volume's first and last slices. */
  volumeTop: number;
  volumeBottom: number;
  /** Top of the liver (the diaphragm's dome) and its lowest tip, as labelled. */
  dome: number;
  liverTip: number;
}

/** A covered slab of the body: RAS z from `bottom` to `top` (mm). */
export interface ScanRange {
  kind: ScanRangeKind;
  top: number;
  bottom: number;
}

/**
 * The shortest range drawn (mm). The phantom's body ends near the third lumbar vertebra, so a scan
 * that would run on into the pelvis keeps only its upper part here; 70 mm is about two vertebrae,
 * both kidneys' lower halves below the liver, and 13+ slices on the demo's 5 mm grid.
 */
export const MIN_SCAN_LENGTH_MM = 70;

interface RangeRule {
  kind: ScanRangeKind;
  /** Fraction of cases. */
  share: number;
  /** [top, bottom] in RAS z mm, before the minimum length and the volume's edges are applied. */
  draw: (rng: Random, at: ScanLandmarks) => [number, number];
}

/**
 * The mix, in millimetres below the dome (organ positions in the phantom scale with it). A chest CT
 * stopping above the kidneys is the only range without them; a scan from below the liver's tip the
 * only one without the liver (and mostly without the stomach and spleen); both ranges from the top
 * keep the oesophagus, both from below drop it. Shares were set so that each organ a range can leave
 * out is absent in 20–50 % of cases. Measured on 40 cases (seed 7, 128×128×64, variation 2.5) × 10
 * draws, resections included: liver 22 %, left kidney 29 %, stomach 32 %, spleen and right kidney
 * 36 %, pancreas and right adrenal 42 %, portal/splenic vein 45 %, oesophagus 46 %, left adrenal
 * 47 %; the gallbladder 74 %, as variation 2.5 already resects it in half the cases (56 % at
 * variation 1). The liver cannot be left out more often: after a hepatomegaly (30 % of cases at
 * variation 2.5) less than the minimum length lies below it. The aorta and IVC run the whole abdomen
 * and stay in every range: a scan without them would hold none of the other organs.
 */
export const SCAN_RANGES: readonly RangeRule[] = [
  { kind: 'abdomen', share: 0.19, draw: (_rng, at) => [at.volumeTop, at.volumeBottom] },
  // Chest CT: ends between the adrenal glands and the kidneys' upper poles.
  { kind: 'lower chest', share: 0.22, draw: (rng, at) => [at.volumeTop, at.dome - rng.uniform(70, 115)] },
  // Liver protocol: dome to mid-kidney.
  { kind: 'upper abdomen', share: 0.13, draw: (rng, at) => [at.volumeTop, at.dome - rng.uniform(130, 185)] },
  // Abdomen–pelvis starting at mid-liver: below the gastro-oesophageal junction.
  {
    kind: 'mid-liver down',
    share: 0.1,
    draw: (rng, at) => [at.dome - rng.uniform(60, 120), at.volumeBottom],
  },
  // Abdomen–pelvis starting at the liver's tip: 5 mm above (a sliver, then not visualised) to 15 below.
  {
    kind: 'below the liver',
    share: 0.36,
    draw: (rng, at) => [at.liverTip + rng.uniform(-15, 5), at.volumeBottom],
  },
];

/** Draws one case's range: a kind by its share, then its edges, at least `MIN_SCAN_LENGTH_MM` long. */
export function drawScanRange(rng: Random, at: ScanLandmarks): ScanRange {
  let u = rng.next();
  const rule = SCAN_RANGES.find((r) => (u -= r.share) < 0) ?? SCAN_RANGES[0]!;
  const [drawnTop, drawnBottom] = rule.draw(rng, at);
  let top = Math.min(drawnTop, at.volumeTop);
  let bottom = Math.max(drawnBottom, at.volumeBottom);
  // Lengthen away from the volume's edge that the range starts at.
  if (top - bottom < MIN_SCAN_LENGTH_MM) {
    if (top >= at.volumeTop) bottom = Math.max(at.volumeBottom, top - MIN_SCAN_LENGTH_MM);
    else top = Math.min(at.volumeTop, bottom + MIN_SCAN_LENGTH_MM);
  }
  return { kind: rule.kind, top, bottom };
}
