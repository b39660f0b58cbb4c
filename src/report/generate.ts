import type { Volume } from '../volume/volume.js';
import { labelBoxes, type StructureSize, structureSize } from './measure.js';
import type { OrganTag, TagVocabulary } from './vocabularies.js';

/** Status a generated report states for a tag (a label map cannot hedge). */
export type GeneratedStatus = 'present' | 'absent' | 'abnormal';

export interface GenerateOptions {
  /** Seed of the phrasing and order; the same seed and label map give the same report. */
  seed: number;
  /** Names of the label values, to find each tag's label by name when the dataset numbers differ. */
  labelNames?: Record<number, string>;
  /** What the scan left out, when it did not cover the whole region (tag names; default: nothing). */
  fieldOfView?: FieldOfViewTags;
}

/**
 * Tags a scan's z-range left out or cut. A label map cannot tell a structure outside the field of
 * view from a resected one, nor a cut organ from a small one, so the caller who chose the range says.
 */
export interface FieldOfViewTags {
  /** Not in the image at all: "not included in the field of view", never "status post …". */
  outside?: readonly string[];
  /**
   * Cut by the first or last slice: present, said to be partially imaged and never measured or
   * called enlarged, since its measured span is the scan's, not the organ's.
   */
  cut?: readonly string[];
}

export interface GeneratedReport {
  text: string;
  tags: Record<string, GeneratedStatus>;
  /** Measured size per tag present in the label map (a tag cut by the field of view is not measured). */
  sizes: Record<string, StructureSize>;
}

/** Upper limits of normal (mm) above which a radiologist calls the organ enlarged. */
export const enlargementThresholdsMm: Readonly<Record<string, number>> = {
  spleen: 130, // splenic length
  liver: 170, // craniocaudal span
  'right kidney': 140,
  'left kidney': 140,
};

/** A small deterministic PRNG (mulberry32): reports must not change between runs or machines. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const cm = (mm: number) => (mm / 10).toFixed(1);

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

interface Statement {
  findings: string;
  impression?: string;
}

/** "kidney_left" and "Left Kidney" → "left kidney": label tables write names either way. */
function normalizeLabelName(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/[_\s]+/g, ' ')
    .trim();
  const sided = /^(.+) (left|right)$/.exec(words);
  return sided ? `${sided[2]} ${sided[1]}` : words;
}

/** Label values making up a tag, taken from `labelNames` when given, else from the vocabulary. */
export function tagLabels(tag: OrganTag, labelNames?: Record<number, string>): number[] {
  if (labelNames) {
    const names = [tag.name, ...tag.synonyms].map(normalizeLabelName);
    const found = Object.entries(labelNames)
      .filter(([, name]) => names.includes(normalizeLabelName(name)))
      .map(([value]) => Number(value));
    if (found.length > 0) return found;
  }
  return tag.labels ?? (tag.label !== undefined ? [tag.label] : []);
}

const display: Record<string, string> = {
  'portal and splenic vein': 'portal and splenic veins',
  postcava: 'inferior vena cava',
};

/**
 * How a radiologist says a structure is gone, by tag; `{side}` is filled for paired organs. Only
 * organs commonly removed are called resected; others (esophagus, stomach, bladder) missing from a
 * label map are usually outside the field of view and are said to be not visualized.
 */
const absentPhrases: Record<string, { findings: string[]; impression: string }> = {
  spleen: {
    findings: [
      'Status post splenectomy.',
      'The spleen is surgically absent.',
      'The spleen is not visualized, consistent with prior splenectomy.',
    ],
    impression: 'Status post splenectomy.',
  },
  kidney: {
    findings: [
      'Status post {side} nephrectomy.',
      'The {side} kidney is surgically absent.',
      'The {side} kidney is not visualized, compatible with prior nephrectomy.',
    ],
    impression: 'Status post {side} nephrectomy.',
  },
  gallbladder: {
    findings: [
      'Status post cholecystectomy.',
      'The gallbladder is surgically absent.',
      'The gallbladder has been removed.',
    ],
    impression: 'Status post cholecystectomy.',
  },
  'adrenal gland': {
    findings: ['The {side} adrenal gland is not visualized.', 'Status post {side} adrenalectomy.'],
    impression: 'Absent {side} adrenal gland.',
  },
  pancreas: {
    findings: ['Status post total pancreatectomy.', 'The pancreas is surgically absent.'],
    impression: 'Status post pancreatectomy.',
  },
  'prostate/uterus': {
    findings: ['Status post prostatectomy.', 'Status post hysterectomy.'],
    impression: '',
  },
  colon: { findings: ['Status post total colectomy.'], impression: 'Status post total colectomy.' },
};

const normalPhrases: Record<string, string[]> = {
  liver: [
    'The liver is normal in size, with a craniocaudal span of {cm} cm.',
    'The liver measures {cm} cm in craniocaudal span and is normal in attenuation without focal lesion.',
  ],
  spleen: ['The spleen measures {cm} cm and is normal in size.', 'Normal-sized spleen ({cm} cm).'],
  kidney: [
    'The {side} kidney measures {cm} cm and is normal in size.',
    'The {side} kidney is unremarkable, measuring {cm} cm in length.',
  ],
  gallbladder: [
    'The gallbladder is unremarkable.',
    'The gallbladder is normal without stones or wall thickening.',
  ],
  'adrenal gland': ['The {side} adrenal gland is normal.', 'Normal {side} adrenal gland.'],
  pancreas: ['The pancreas is normal without ductal dilatation.', 'The pancreas is unremarkable.'],
  esophagus: ['The distal esophagus is unremarkable.'],
  stomach: ['The stomach is unremarkable.', 'The stomach is normally distended.'],
  aorta: ['The abdominal aorta is normal in caliber.', 'No abdominal aortic aneurysm.'],
  'inferior vena cava': ['The IVC is unremarkable.', 'The inferior vena cava is patent.'],
  postcava: ['The IVC is unremarkable.', 'The inferior vena cava is patent.'],
  'portal and splenic vein': ['The portal and splenic veins are patent.'],
  duodenum: ['The duodenum is unremarkable.'],
  'urinary bladder': ['The urinary bladder is unremarkable.', 'The bladder is normally distended.'],
  colon: ['The colon is unremarkable.'],
  'enhancing tumour': [
    'An enhancing component measuring {cm} cm is identified.',
    'There is an enhancing rim measuring {cm} cm.',
  ],
  'tumour core': ['The tumour core measures {cm} cm.', 'A necrotic core measuring {cm} cm is seen.'],
  'whole tumour': [
    'Peritumoral oedema extends over {cm} cm.',
    'The whole tumour extent, including oedema, is {cm} cm.',
  ],
};

const enlargedPhrases: Record<string, { findings: string[]; impression: string }> = {
  liver: {
    findings: [
      'The liver is enlarged, measuring {cm} cm in craniocaudal span.',
      'Hepatomegaly, with a craniocaudal span of {cm} cm.',
    ],
    impression: 'Hepatomegaly ({cm} cm).',
  },
  spleen: {
    findings: [
      'The spleen is enlarged, measuring {cm} cm in length.',
      'Splenomegaly, the spleen measuring {cm} cm.',
    ],
    impression: 'Splenomegaly ({cm} cm).',
  },
  kidney: {
    findings: ['The {side} kidney is enlarged, measuring {cm} cm.'],
    impression: 'Enlarged {side} kidney ({cm} cm).',
  },
};

const bratsAbsent: Record<string, string[]> = {
  'enhancing tumour': ['No enhancing component is identified.', 'There is no enhancing tumour.'],
  'tumour core': ['No necrotic core is identified.', 'No tumour core is seen.'],
  'whole tumour': ['No oedema or other tumour signal abnormality is identified.'],
};

// Structures outside the abdomen lists (cardiac, brain): named plainly.
const genericNormal = ['The {name} is normal in size ({cm} cm).', 'The {name} is unremarkable.'];
const genericAbsent = ['The {name} {is} not visualized.', 'No {name} {is} identified.'];
const outOfView = ['The {name} {is} not visualized.', 'The {name} {is} not included in the field of view.'];
// No size here: the part that is seen says nothing about the organ's span.
const partlyInView = [
  'The {name} {is} partially included in the field of view.',
  'The {name} {is} only partially imaged.',
  'The visualized portion of the {name} is unremarkable.',
];

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}

/** Capitalises the first letter (templates may start with a side word or a tag name). */
const sentenceCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Where a tag stands against the scan's field of view. */
type Coverage = 'whole' | 'outside' | 'cut';

/** One tag's statement in the report, and the status it conveys. */
function describe(
  tag: OrganTag,
  size: StructureSize | undefined,
  rng: Rng,
  coverage: Coverage = 'whole',
): Statement & { status: GeneratedStatus } {
  const key = tag.side ? tag.name.replace(`${tag.side} `, '') : tag.name;
  const name = display[tag.name] ?? tag.name;
  const length = tag.name === 'liver' && size ? size.extentMm[2] : size?.lengthMm;
  const values = {
    side: tag.side ?? '',
    cm: length === undefined ? '' : cm(length),
    name,
    is: /(veins|glands)$/.test(name) ? 'are' : 'is',
  };
  if (coverage === 'outside' && !size)
    return { status: 'absent', findings: sentenceCase(fill(pick(rng, outOfView), values)) };
  if (coverage === 'cut' && size)
    return { status: 'present', findings: sentenceCase(fill(pick(rng, partlyInView), values)) };
  if (!size) {
    const absent = absentPhrases[key];
    if (tag.name === 'prostate/uterus') {
      const findings = pick(rng, absent!.findings);
      return { status: 'absent', findings, impression: findings };
    }
    if (absent) {
      return {
        status: 'absent',
        findings: sentenceCase(fill(pick(rng, absent.findings), values)),
        impression: sentenceCase(fill(absent.impression, values)),
      };
    }
    const generic = bratsAbsent[tag.name] ?? (normalPhrases[tag.name] ? outOfView : genericAbsent);
    return { status: 'absent', findings: sentenceCase(fill(pick(rng, generic), values)) };
  }
  const threshold = enlargementThresholdsMm[tag.name];
  if (threshold !== undefined && length !== undefined && length > threshold) {
    const enlarged = enlargedPhrases[key]!;
    return {
      status: 'abnormal',
      findings: sentenceCase(fill(pick(rng, enlarged.findings), values)),
      impression: sentenceCase(fill(enlarged.impression, values)),
    };
  }
  if (tag.name === 'prostate/uterus') {
    const organ = pick(rng, ['prostate', 'uterus']);
    return {
      status: 'present',
      findings: `The ${organ} is ${pick(rng, ['unremarkable', 'normal in size'])}.`,
    };
  }
  const templates = normalPhrases[key] ?? normalPhrases[tag.name] ?? genericNormal;
  return { status: 'present', findings: sentenceCase(fill(pick(rng, templates), values)) };
}

/** Both sides of a paired organ normal: radiologists say it in one sentence. */
function describePair(
  base: 'kidney' | 'adrenal gland',
  sizes: (StructureSize | undefined)[],
  rng: Rng,
): string {
  if (base === 'kidney') {
    const [right, left] = sizes.map((s) => cm(s!.lengthMm));
    return pick(rng, [
      `The kidneys are normal in size (right ${right} cm, left ${left} cm) without hydronephrosis.`,
      `Both kidneys enhance symmetrically and are normal in size, measuring ${right} cm on the right and ${left} cm on the left.`,
    ]);
  }
  return pick(rng, ['The adrenal glands are unremarkable.', 'Bilateral adrenal glands are normal.']);
}

const technique: Record<string, string[]> = {
  abdomen: [
    'CT of the abdomen and pelvis with intravenous contrast.',
    'Contrast-enhanced CT of the abdomen, portal venous phase.',
  ],
  mmwhs: ['Cardiac CT angiography.', 'Cardiac MRI, cine and contrast-enhanced sequences.'],
  brats: ['MRI of the brain with T1, T1 post-contrast, T2 and FLAIR sequences.'],
};
const history = ['Abdominal pain.', 'Staging.', 'Follow-up.', 'Weight loss.', 'Routine evaluation.'];

/**
 * A radiology-style report for a label map: every vocabulary tag is described as present (with its
 * size where it is measured), enlarged above normal limits (abnormal), or absent (phrased as a
 * radiologist would: "Status post cholecystectomy."), in seeded order and wording, with FINDINGS
 * and IMPRESSION sections. `tagReport` applied to the text recovers `tags`.
 */
export function generateReport(
  labelMap: Volume,
  vocabulary: TagVocabulary,
  options: GenerateOptions,
): GeneratedReport {
  const rng = random(options.seed);
  const boxes = labelBoxes(labelMap);
  const tags: Record<string, GeneratedStatus> = {};
  const sizes: Record<string, StructureSize> = {};
  const statements: Statement[] = [];
  const described = new Map<string, Statement & { status: GeneratedStatus; size?: StructureSize }>();
  const outside = new Set(options.fieldOfView?.outside ?? []);
  const cut = new Set(options.fieldOfView?.cut ?? []);
  for (const tag of vocabulary.tags) {
    const coverage: Coverage = outside.has(tag.name) ? 'outside' : cut.has(tag.name) ? 'cut' : 'whole';
    const measured = structureSize(labelMap, tagLabels(tag, options.labelNames), boxes);
    const size = coverage === 'cut' ? undefined : measured;
    if (size) sizes[tag.name] = size;
    const statement = describe(tag, measured, rng, coverage);
    tags[tag.name] = statement.status;
    described.set(tag.name, { ...statement, size });
  }
  for (const base of ['kidney', 'adrenal gland'] as const) {
    const pair = [described.get(`right ${base}`), described.get(`left ${base}`)];
    // A cut organ has no size for the paired sentence, and its own sentence says it is cut.
    const whole = [`right ${base}`, `left ${base}`].every((name) => !cut.has(name));
    if (whole && pair.every((s) => s?.status === 'present') && rng() < 0.6) {
      statements.push({ findings: describePair(base, [pair[0]!.size, pair[1]!.size], rng) });
      described.delete(`right ${base}`);
      described.delete(`left ${base}`);
    }
  }
  statements.push(...described.values());
  shuffle(rng, statements);

  const impressions = statements.map((s) => s.impression).filter((s): s is string => !!s);
  const field = vocabulary.name === 'mmwhs' || vocabulary.name === 'brats' ? vocabulary.name : 'abdomen';
  if (impressions.length === 0)
    impressions.push(
      field === 'abdomen'
        ? pick(rng, ['No acute abnormality in the abdomen or pelvis.', 'Unremarkable examination.'])
        : 'Findings as described above.',
    );
  const numbered = impressions.length > 1 && rng() < 0.5;
  const lines = [
    `${pick(rng, ['CLINICAL HISTORY', 'INDICATION'])}: ${pick(rng, history)}`,
    `TECHNIQUE: ${pick(rng, technique[field]!)}`,
    '',
    'FINDINGS:',
    ...(rng() < 0.5 ? [statements.map((s) => s.findings).join(' ')] : statements.map((s) => s.findings)),
    '',
    'IMPRESSION:',
    ...(numbered ? impressions.map((s, i) => `${i + 1}. ${s}`) : [impressions.join(' ')]),
  ];
  return { text: `${lines.join('\n')}\n`, tags, sizes };
}
