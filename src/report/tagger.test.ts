import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectSections } from './sections.js';
import { tagConcepts, tagReport } from './tagger.js';
import { getVocabulary } from './vocabularies.js';

const btcv = getVocabulary('btcv');
const amos = getVocabulary('amos');

/** tag → status of a report. */
function statuses(text: string, vocabulary = btcv): Record<string, string> {
  return Object.fromEntries(tagReport(text, vocabulary).map((t) => [t.tag, t.status]));
}

test('sections: history and indication create no tags, findings and impression do', () => {
  const text =
    'CLINICAL HISTORY: Status post splenectomy, liver mass.\nINDICATION: Pancreatic cancer.\nFINDINGS: The liver is normal.\nIMPRESSION: The stomach is unremarkable.';
  assert.deepEqual(
    detectSections(text).map((s) => [s.name, s.describesExam]),
    [
      ['history', false],
      ['indication', false],
      ['findings', true],
      ['impression', true],
    ],
  );
  assert.deepEqual(statuses(text), { liver: 'present', stomach: 'present' });
});

test('laterality: sided names, plurals and "bilateral" mention the right sides', () => {
  assert.deepEqual(statuses('The right kidney is normal.'), { 'right kidney': 'present' });
  assert.deepEqual(statuses('The kidneys are normal.'), {
    'right kidney': 'present',
    'left kidney': 'present',
  });
  assert.deepEqual(statuses('Bilateral adrenal glands are unremarkable.'), {
    'right adrenal gland': 'present',
    'left adrenal gland': 'present',
  });
  assert.deepEqual(statuses('Left renal cyst.'), { 'left kidney': 'abnormal' });
  // An unsided singular ("the kidney") cannot be attributed and is not a mention.
  assert.deepEqual(statuses('The kidney is normal.'), {});
});

test('resections: organ absent; sided for paired organs; partial resections leave it abnormal', () => {
  assert.deepEqual(statuses('Status post cholecystectomy.'), { gallbladder: 'absent' });
  assert.deepEqual(statuses('S/p right nephrectomy. The left kidney is normal.'), {
    'right kidney': 'absent',
    'left kidney': 'present',
  });
  assert.deepEqual(statuses('Status post splenectomy.'), { spleen: 'absent' });
  assert.deepEqual(statuses('Status post left partial nephrectomy.'), { 'left kidney': 'abnormal' });
  assert.deepEqual(statuses('Status post hysterectomy.', amos), { 'prostate/uterus': 'absent' });
  assert.deepEqual(statuses('Status post Whipple procedure.', amos), {
    gallbladder: 'absent',
    pancreas: 'abnormal',
    duodenum: 'absent',
  });
  assert.deepEqual(statuses('No prior cholecystectomy. The gallbladder is distended.'), {
    gallbladder: 'present',
  });
});

test('negated or hedged findings of an organ leave the organ present; a negated organ is absent', () => {
  assert.deepEqual(statuses('No focal hepatic lesion. No splenomegaly.'), {
    spleen: 'present',
    liver: 'present',
  });
  assert.deepEqual(statuses('No lesion in the liver or pancreas.'), {
    liver: 'present',
    pancreas: 'present',
  });
  assert.deepEqual(statuses('The gallbladder is not visualized.'), { gallbladder: 'absent' });
  assert.deepEqual(statuses('Possible pancreatic mass.'), { pancreas: 'present' });
  assert.deepEqual(statuses('Questionable left adrenal gland.'), { 'left adrenal gland': 'uncertain' });
});

test('abnormal: a finding said of the organ, attached to the nearest organ', () => {
  assert.deepEqual(statuses('The spleen is enlarged.'), { spleen: 'abnormal' });
  assert.deepEqual(statuses('Splenomegaly.'), { spleen: 'abnormal' });
  assert.deepEqual(statuses('The liver is normal, with a cyst in the right kidney.'), {
    'right kidney': 'abnormal',
    liver: 'present',
  });
  assert.deepEqual(statuses('The liver is not enlarged.'), { liver: 'present' });
  assert.deepEqual(statuses('The IVC is patent. The portal and splenic veins are patent.'), {
    'inferior vena cava': 'present',
    'portal and splenic vein': 'present',
  });
});

test('evidence: the sentence and the span in the original text', () => {
  const text = 'FINDINGS:\nThe liver is normal.  Status post cholecystectomy.';
  const [gallbladder] = tagReport(text, btcv).filter((t) => t.tag === 'gallbladder');
  assert.equal(gallbladder!.evidence.sentence, 'Status post cholecystectomy.');
  assert.equal(text.slice(gallbladder!.evidence.start, gallbladder!.evidence.end), 'cholecystectomy');
});

test('given concepts: any affirmative mention wins (CheXpert rule)', () => {
  const text = 'No left effusion. Small right effusion. No pneumothorax.';
  assert.deepEqual(
    tagConcepts(text, ['effusion', 'pneumothorax', 'edema']).map((t) => `${t.tag}:${t.status}`),
    ['effusion:present', 'pneumothorax:absent'],
  );
});

test('cardiac and tumour vocabularies', () => {
  assert.deepEqual(statuses('The LV is dilated. The right atrium is normal.', getVocabulary('mmwhs')), {
    'left ventricle': 'abnormal',
    'right atrium': 'present',
  });
  assert.deepEqual(
    statuses('Enhancing tumour with peritumoral oedema. No necrotic core.', getVocabulary('brats')),
    {
      'enhancing tumour': 'present',
      'tumour core': 'absent',
      'whole tumour': 'present',
    },
  );
});

test('structured reports: "ORGAN: statement" lines, fossa and bed are places not organs', () => {
  const text = [
    'CLINICAL HISTORY: Right upper quadrant pain. History of renal cell carcinoma.',
    'FINDINGS:',
    'LIVER: Normal in size and attenuation. No focal lesion.',
    'GALLBLADDER: Surgically absent. Surgical clips in the gallbladder fossa.',
    'SPLEEN: Not enlarged.',
    'PANCREAS: Atrophic.',
    'ADRENALS: Normal.',
    'KIDNEYS: Status post left nephrectomy. No hydronephrosis of the right kidney.',
    'IMPRESSION: Fatty liver.',
  ].join('\n');
  assert.deepEqual(statuses(text, getVocabulary('abdomen')), {
    spleen: 'present',
    'right kidney': 'present',
    'left kidney': 'absent',
    gallbladder: 'absent',
    liver: 'abnormal',
    pancreas: 'abnormal',
    'right adrenal gland': 'present',
    'left adrenal gland': 'present',
  });
  assert.deepEqual(statuses('GALLBLADDER: Not visualized.'), { gallbladder: 'absent' });
});
