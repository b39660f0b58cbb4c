// SNOMED CT codes for the abdominal organs of BTCV and AMOS, as DICOM-SEG segment property codes.
// Laterality follows DICOM practice (as dcmqi and TotalSegmentator write it): the organ's code plus a
// Right/Left modifier, rather than a separate concept per side.

/** A coded concept: value, coding scheme ('SCT' for SNOMED CT) and meaning. */
export interface CodedConcept {
  code: string;
  scheme: string;
  meaning: string;
}

/** What a DICOM-SEG segment says it is. */
export interface SegmentProperty {
  category: CodedConcept;
  type: CodedConcept;
  modifier?: CodedConcept;
}

export const ANATOMICAL_STRUCTURE: CodedConcept = {
  code: '123037004',
  scheme: 'SCT',
  meaning: 'Anatomical Structure',
};
const RIGHT: CodedConcept = { code: '24028007', scheme: 'SCT', meaning: 'Right' };
const LEFT: CodedConcept = { code: '7771000', scheme: 'SCT', meaning: 'Left' };

const sct = (code: string, meaning: string): CodedConcept => ({ code, scheme: 'SCT', meaning });

/** Organ codes by canonical name (lower case, words separated by spaces, laterality removed). */
export const ORGAN_CODES: Record<string, CodedConcept> = {
  liver: sct('10200004', 'Liver'),
  spleen: sct('78961009', 'Spleen'),
  kidney: sct('64033007', 'Kidney'),
  gallbladder: sct('28231008', 'Gallbladder'),
  esophagus: sct('32849002', 'Esophagus'),
  stomach: sct('69695003', 'Stomach'),
  aorta: sct('15825003', 'Aorta'),
  'inferior vena cava': sct('64131007', 'Inferior vena cava'),
  'portal vein': sct('32764006', 'Portal vein'),
  'splenic vein': sct('35819009', 'Splenic vein'),
  pancreas: sct('15776009', 'Pancreas'),
  'adrenal gland': sct('23451007', 'Adrenal gland'),
  duodenum: sct('38848004', 'Duodenum'),
  'urinary bladder': sct('89837001', 'Urinary bladder'),
  prostate: sct('41216001', 'Prostate'),
  uterus: sct('35039007', 'Uterus'),
};

// Other spellings used by the datasets' label files and by TotalSegmentator.
const ALIASES: Record<string, string> = {
  ivc: 'inferior vena cava',
  postcava: 'inferior vena cava',
  'vena cava inferior': 'inferior vena cava',
  'portal vein and splenic vein': 'portal vein',
  'portal and splenic vein': 'portal vein',
  'portal splenic vein': 'portal vein',
  'adrenal gland': 'adrenal gland',
  adrenal: 'adrenal gland',
  bladder: 'urinary bladder',
  'gall bladder': 'gallbladder',
  oesophagus: 'esophagus',
};

/**
 * The segment property of an organ name, e.g. 'right kidney', 'kidney_left', 'RK'-free names like
 * 'Inferior Vena Cava'; undefined when the name is not in the table.
 */
export function organProperty(name: string): SegmentProperty | undefined {
  let words = name
    .toLowerCase()
    .replace(/[_\-/()]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  let modifier: CodedConcept | undefined;
  if (words.includes('right')) modifier = RIGHT;
  else if (words.includes('left')) modifier = LEFT;
  words = words.filter((w) => w !== 'right' && w !== 'left');
  const key = words.join(' ');
  const canonical = ORGAN_CODES[key] ? key : ALIASES[key];
  if (!canonical) return undefined;
  return { category: ANATOMICAL_STRUCTURE, type: ORGAN_CODES[canonical]!, ...(modifier ? { modifier } : {}) };
}
