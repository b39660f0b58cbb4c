// Organ tag vocabularies: the label set of each target dataset, with the words radiologists use for
// each structure, so that reports can be turned into tags and tags into prompts.
import { InputError } from '../errors.js';

export type VocabularyName = 'btcv' | 'amos' | 'mmwhs' | 'brats' | 'abdomen';

export const vocabularyNames: readonly VocabularyName[] = ['btcv', 'amos', 'mmwhs', 'brats', 'abdomen'];

/** A surgical removal that leaves a structure absent (or, when `partial`, present but abnormal). */
export interface Resection {
  /** Lowercase procedure words, e.g. "cholecystectomy"; a sided tag also needs its side nearby. */
  terms: string[];
  partial?: boolean;
}

/** One organ (or tumour region) tag. */
export interface OrganTag {
  /** Canonical name, also the tag key: "liver", "right kidney". */
  name: string;
  /** Label value of this structure in its dataset's label maps (after the dataset's remap). */
  label?: number;
  /** Label values whose union forms the structure, when it is a region (BraTS tumour core). */
  labels?: number[];
  /** Text prompt for the tag query: "the liver". */
  prompt: string;
  /** Noun phrases naming the structure (lowercase). For a sided organ: without the side word. */
  synonyms: string[];
  /** Adjectives that mention the structure ("hepatic"); for a sided organ, combined with its side. */
  adjectives: string[];
  /** Case-sensitive abbreviations ("IVC", "GB"). */
  abbreviations: string[];
  /** Side of a paired organ; "kidneys" and "bilateral adrenal glands" then mention both sides. */
  side?: 'left' | 'right';
  /** Plural nouns that mention both sides of a paired organ ("kidneys"). */
  plurals?: string[];
  /** Words that name the structure together with a finding ("splenomegaly"): mention + abnormal. */
  findingWords?: string[];
  resections: Resection[];
}

export interface TagVocabulary {
  name: VocabularyName;
  tags: OrganTag[];
}

type TagSpec = Omit<OrganTag, 'prompt' | 'adjectives' | 'abbreviations' | 'resections' | 'synonyms'> &
  Partial<Pick<OrganTag, 'prompt' | 'adjectives' | 'abbreviations' | 'resections' | 'synonyms'>>;

function tag(spec: TagSpec): OrganTag {
  const base = spec.side ? spec.name.replace(`${spec.side} `, '') : spec.name;
  return {
    prompt: `the ${spec.name}`,
    adjectives: [],
    abbreviations: [],
    resections: [],
    ...spec,
    synonyms: spec.synonyms ?? [base],
  };
}

// The abdominal organs, each defined once and given a label per dataset below.
const spleen = tag({
  name: 'spleen',
  adjectives: ['splenic'],
  findingWords: ['splenomegaly'],
  resections: [{ terms: ['splenectomy'] }],
});
const kidney = (side: 'left' | 'right') =>
  tag({
    name: `${side} kidney`,
    side,
    synonyms: ['kidney'],
    adjectives: ['renal'],
    plurals: ['kidneys'],
    abbreviations: [side === 'left' ? 'LK' : 'RK'],
    resections: [{ terms: ['nephrectomy'] }, { terms: ['partial nephrectomy'], partial: true }],
  });
const gallbladder = tag({
  name: 'gallbladder',
  synonyms: ['gallbladder', 'gall bladder'],
  abbreviations: ['GB'],
  findingWords: ['cholelithiasis', 'cholecystitis'],
  resections: [{ terms: ['cholecystectomy', 'whipple', 'pancreaticoduodenectomy'] }],
});
const esophagus = tag({
  name: 'esophagus',
  synonyms: ['esophagus', 'oesophagus'],
  adjectives: ['esophageal', 'oesophageal'],
  resections: [{ terms: ['esophagectomy', 'oesophagectomy'] }],
});
const liver = tag({
  name: 'liver',
  adjectives: ['hepatic'],
  findingWords: ['hepatomegaly'],
  resections: [{ terms: ['hepatectomy', 'hepatic lobectomy'], partial: true }],
});
const stomach = tag({
  name: 'stomach',
  adjectives: ['gastric'],
  resections: [{ terms: ['total gastrectomy'] }, { terms: ['gastrectomy'], partial: true }],
});
const aorta = tag({ name: 'aorta', synonyms: ['aorta'], adjectives: ['aortic'] });
const ivc = (name: string, extra: string[] = []) =>
  tag({
    name,
    synonyms: ['inferior vena cava', 'vena cava', ...extra],
    abbreviations: ['IVC'],
    prompt: 'the inferior vena cava',
  });
const portalSplenicVein = tag({
  name: 'portal and splenic vein',
  synonyms: [
    'portal and splenic veins',
    'portal and splenic vein',
    'portal vein',
    'splenic vein',
    'portal venous system',
  ],
  abbreviations: ['PV'],
  prompt: 'the portal and splenic veins',
});
const pancreas = tag({
  name: 'pancreas',
  adjectives: ['pancreatic'],
  resections: [
    { terms: ['total pancreatectomy', 'pancreatectomy'] },
    { terms: ['whipple', 'pancreaticoduodenectomy', 'distal pancreatectomy'], partial: true },
  ],
});
const adrenal = (side: 'left' | 'right') =>
  tag({
    name: `${side} adrenal gland`,
    side,
    synonyms: ['adrenal gland', 'adrenal'],
    adjectives: ['suprarenal'],
    plurals: ['adrenal glands', 'adrenals'],
    resections: [{ terms: ['adrenalectomy'] }],
    prompt: `the ${side} adrenal gland`,
  });
const duodenum = tag({
  name: 'duodenum',
  adjectives: ['duodenal'],
  resections: [{ terms: ['whipple', 'pancreaticoduodenectomy'] }],
});
const bladder = tag({
  name: 'urinary bladder',
  synonyms: ['urinary bladder', 'bladder'],
  adjectives: ['vesical'],
  resections: [{ terms: ['cystectomy'] }],
});
const prostateUterus = tag({
  name: 'prostate/uterus',
  synonyms: ['prostate', 'prostate gland', 'uterus'],
  adjectives: ['prostatic', 'uterine'],
  resections: [{ terms: ['prostatectomy', 'hysterectomy'] }],
  prompt: 'the prostate or uterus',
});
const colon = tag({
  name: 'colon',
  synonyms: ['colon', 'large bowel'],
  adjectives: ['colonic'],
  resections: [{ terms: ['total colectomy'] }, { terms: ['colectomy', 'hemicolectomy'], partial: true }],
});

const withLabel = (t: OrganTag, label: number): OrganTag => ({ ...t, label });

const btcv: OrganTag[] = [
  spleen,
  kidney('right'),
  kidney('left'),
  gallbladder,
  esophagus,
  liver,
  stomach,
  aorta,
  ivc('inferior vena cava'),
  portalSplenicVein,
  pancreas,
  adrenal('right'),
  adrenal('left'),
].map((t, i) => withLabel(t, i + 1));

const amos: OrganTag[] = [
  spleen,
  kidney('right'),
  kidney('left'),
  gallbladder,
  esophagus,
  liver,
  stomach,
  aorta,
  ivc('postcava', ['postcava']),
  pancreas,
  adrenal('right'),
  adrenal('left'),
  duodenum,
  bladder,
  prostateUterus,
].map((t, i) => withLabel(t, i + 1));

// MMWHS after the dataset's remap of 205, 420, 500, 550, 600, 820, 850 to 1..7.
const mmwhs: OrganTag[] = [
  tag({
    name: 'left ventricular myocardium',
    synonyms: ['left ventricular myocardium', 'myocardium', 'left ventricular wall'],
    adjectives: ['myocardial'],
    abbreviations: ['LVM', 'MYO'],
  }),
  tag({ name: 'left atrium', synonyms: ['left atrium'], adjectives: ['left atrial'], abbreviations: ['LA'] }),
  tag({
    name: 'left ventricle',
    synonyms: ['left ventricle', 'left ventricular cavity', 'left ventricular blood pool'],
    adjectives: ['left ventricular'],
    abbreviations: ['LV'],
    prompt: 'the left ventricular blood cavity',
  }),
  tag({
    name: 'right atrium',
    synonyms: ['right atrium'],
    adjectives: ['right atrial'],
    abbreviations: ['RA'],
  }),
  tag({
    name: 'right ventricle',
    synonyms: ['right ventricle', 'right ventricular cavity'],
    adjectives: ['right ventricular'],
    abbreviations: ['RV'],
  }),
  tag({
    name: 'ascending aorta',
    synonyms: ['ascending aorta', 'aortic root'],
    abbreviations: ['AA', 'AAo'],
  }),
  tag({
    name: 'pulmonary artery',
    synonyms: ['pulmonary artery', 'pulmonary trunk', 'main pulmonary artery', 'pulmonary arteries'],
    abbreviations: ['PA', 'MPA'],
  }),
].map((t, i) => withLabel(t, i + 1));

// BraTS regions from its labels 1 (necrotic core), 2 (oedema), 4 (enhancing tumour).
const brats: OrganTag[] = [
  tag({
    name: 'enhancing tumour',
    synonyms: ['enhancing tumour', 'enhancing tumor', 'enhancing component', 'enhancing rim', 'enhancement'],
    abbreviations: ['ET'],
    label: 4,
    labels: [4],
  }),
  tag({
    name: 'tumour core',
    synonyms: [
      'tumour core',
      'tumor core',
      'necrotic core',
      'necrosis',
      'necrotic component',
      'tumour',
      'tumor',
      'mass',
    ],
    adjectives: ['necrotic'],
    abbreviations: ['TC'],
    label: 1,
    labels: [1, 4],
  }),
  tag({
    name: 'whole tumour',
    synonyms: [
      'oedema',
      'edema',
      'peritumoral oedema',
      'peritumoral edema',
      'whole tumour',
      'whole tumor',
      'flair signal',
    ],
    adjectives: ['vasogenic'],
    abbreviations: ['WT'],
    label: 2,
    labels: [1, 2, 4],
  }),
];

// The union of the abdominal sets (BTCV ∪ AMOS, plus the colon), labelled in this order.
const abdomen: OrganTag[] = [
  spleen,
  kidney('right'),
  kidney('left'),
  gallbladder,
  esophagus,
  liver,
  stomach,
  aorta,
  ivc('inferior vena cava', ['postcava']),
  portalSplenicVein,
  pancreas,
  adrenal('right'),
  adrenal('left'),
  duodenum,
  bladder,
  prostateUterus,
  colon,
].map((t, i) => withLabel(t, i + 1));

const vocabularies: Record<VocabularyName, OrganTag[]> = { btcv, amos, mmwhs, brats, abdomen };

/** The tag vocabulary of a dataset; an unknown name is an input error listing the known ones. */
export function getVocabulary(name: string): TagVocabulary {
  if (!(vocabularyNames as readonly string[]).includes(name))
    throw new InputError(`unknown vocabulary "${name}" (expected one of ${vocabularyNames.join(', ')})`);
  const key = name as VocabularyName;
  return { name: key, tags: vocabularies[key] };
}

/** The tag with this label value, if any. */
export function tagForLabel(vocabulary: TagVocabulary, label: number): OrganTag | undefined {
  return vocabulary.tags.find((t) => t.label === label);
}
