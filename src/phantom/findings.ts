// The clinical variation a phantom case carries: resected organs, enlarged or atrophic organs and
// focal lesions. The label map shows the first three; lesions keep their organ's label, as in BTCV.
import type { PhantomOrgan } from './organs.js';
import type { Random } from './random.js';
import type { Vec3 } from './shapes.js';

export interface PhantomLesion {
  organ: PhantomOrgan;
  /** 'hypodense lesion' (liver, e.g. a cyst or metastasis) or 'cyst' (a simple renal cyst). */
  kind: 'hypodense lesion' | 'cyst';
  /** Centre in RAS millimetres. */
  center: Vec3;
  radiusMm: number;
  hu: number;
}

/** What was varied in one case, so reports, tests and users can check the picture against it. */
export interface PhantomFindings {
  /** Organs not drawn (resected); their labels are absent from the label map. */
  absent: PhantomOrgan[];
  enlarged: PhantomOrgan[];
  atrophic: PhantomOrgan[];
  lesions: PhantomLesion[];
  /** The surgery behind each absent organ, e.g. 'cholecystectomy', 'right nephrectomy'. */
  procedures: string[];
}

/** How often each variation occurs (probability per case); `variation: 0` in the options turns all off. */
export const VARIATION_RATES = {
  cholecystectomy: 0.2,
  splenectomy: 0.06,
  nephrectomy: 0.08,
  hepatomegaly: 0.12,
  splenomegaly: 0.12,
  renalAtrophy: 0.08,
  pancreaticAtrophy: 0.08,
  liverLesions: 0.25,
  renalCysts: 0.2,
} as const;

/** Variations a caller asks for regardless of chance (tests, demos). */
export interface ForcedFindings {
  absent?: PhantomOrgan[];
  enlarged?: PhantomOrgan[];
  atrophic?: PhantomOrgan[];
  liverLesions?: number;
  renalCysts?: number;
}

/** The organs that can be resected, enlarged or atrophic here, and what a report calls the surgery. */
export const PROCEDURES: Partial<Record<PhantomOrgan, string>> = {
  gallbladder: 'cholecystectomy',
  spleen: 'splenectomy',
  'right kidney': 'right nephrectomy',
  'left kidney': 'left nephrectomy',
};
const ENLARGEABLE: PhantomOrgan[] = ['liver', 'spleen'];
const ATROPHIABLE: PhantomOrgan[] = ['right kidney', 'left kidney', 'pancreas'];

/** The plan of a case: which organs to skip or rescale and how many lesions to place. */
export interface FindingsPlan {
  absent: Set<PhantomOrgan>;
  enlarged: Set<PhantomOrgan>;
  atrophic: Set<PhantomOrgan>;
  liverLesions: number;
  renalCysts: number;
}

/** Draws a case's variation; `rate` scales every probability (0 = normal anatomy only). */
export function planFindings(rng: Random, rate: number, forced: ForcedFindings = {}): FindingsPlan {
  const r = VARIATION_RATES;
  const absent = new Set<PhantomOrgan>(forced.absent ?? []);
  const enlarged = new Set<PhantomOrgan>(forced.enlarged ?? []);
  const atrophic = new Set<PhantomOrgan>(forced.atrophic ?? []);
  for (const organ of [...absent, ...enlarged, ...atrophic]) checkForced(organ, absent, enlarged, atrophic);
  // Every draw happens whatever the rate, so a case's anatomy does not shift when the rate changes.
  const draws = Array.from({ length: 11 }, () => rng.next());
  const side: PhantomOrgan = draws[10]! < 0.5 ? 'right kidney' : 'left kidney';
  if (draws[0]! < r.cholecystectomy * rate) absent.add('gallbladder');
  if (draws[1]! < r.splenectomy * rate && !enlarged.has('spleen')) absent.add('spleen');
  const kidneys: PhantomOrgan[] = ['right kidney', 'left kidney'];
  if (draws[2]! < r.nephrectomy * rate && !kidneys.some((k) => absent.has(k)) && !atrophic.has(side)) {
    absent.add(side);
  }
  if (draws[3]! < r.hepatomegaly * rate) enlarged.add('liver');
  if (draws[4]! < r.splenomegaly * rate && !absent.has('spleen')) enlarged.add('spleen');
  const other: PhantomOrgan = side === 'right kidney' ? 'left kidney' : 'right kidney';
  if (draws[5]! < r.renalAtrophy * rate && !absent.has(other)) atrophic.add(other);
  if (draws[6]! < r.pancreaticAtrophy * rate) atrophic.add('pancreas');
  const liverLesions =
    forced.liverLesions ?? (draws[7]! < r.liverLesions * rate ? 1 + Math.floor(draws[8]! * 3) : 0);
  const renalCysts =
    forced.renalCysts ?? (draws[9]! < r.renalCysts * rate ? 1 + Math.floor(draws[8]! * 2) : 0);
  return { absent, enlarged, atrophic, liverLesions, renalCysts };
}

function checkForced(
  organ: PhantomOrgan,
  absent: Set<PhantomOrgan>,
  enlarged: Set<PhantomOrgan>,
  atrophic: Set<PhantomOrgan>,
): void {
  if (absent.has(organ) && !(organ in PROCEDURES)) throw new Error(`phantom: ${organ} cannot be absent`);
  if (enlarged.has(organ) && !ENLARGEABLE.includes(organ))
    throw new Error(`phantom: ${organ} cannot be enlarged`);
  if (atrophic.has(organ) && !ATROPHIABLE.includes(organ))
    throw new Error(`phantom: ${organ} cannot be atrophic`);
  if (Number(absent.has(organ)) + Number(enlarged.has(organ)) + Number(atrophic.has(organ)) > 1) {
    throw new Error(`phantom: ${organ} given two conflicting findings`);
  }
}
