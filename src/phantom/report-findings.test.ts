import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tagReport } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';
import type { PhantomFindings } from './findings.js';
import { reviseReport } from './report-findings.js';

const vocabulary = getVocabulary('btcv');
const none: PhantomFindings = { absent: [], enlarged: [], atrophic: [], lesions: [], procedures: [] };
const report = [
  'INDICATION: Staging.',
  '',
  'FINDINGS:',
  'The liver is normal in size, with a craniocaudal span of 15.2 cm. The pancreas is unremarkable.',
  'The kidneys are normal in size (right 11.0 cm, left 10.8 cm) without hydronephrosis.',
  '',
  'IMPRESSION:',
  'Unremarkable examination.',
  '',
].join('\n');
const status = (text: string) => new Map(tagReport(text, vocabulary).map((t) => [t.tag, t.status]));

describe('reviseReport', () => {
  it('leaves a report alone when nothing was varied', () => {
    assert.equal(reviseReport(report, none, vocabulary), report);
  });

  it('replaces a sentence calling a varied organ normal, keeping the decimal numbers of others', () => {
    const revised = reviseReport(
      report,
      {
        ...none,
        atrophic: ['pancreas'],
        lesions: [{ organ: 'liver', kind: 'hypodense lesion', center: [0, 0, 0], radiusMm: 6, hu: 30 }],
      },
      vocabulary,
    );
    assert.doesNotMatch(revised, /liver is normal/);
    assert.doesNotMatch(revised, /pancreas is unremarkable/);
    assert.match(revised, /A 12 mm hypodense lesion in the liver\. The pancreas is atrophic\./);
    assert.match(revised, /right 11\.0 cm, left 10\.8 cm/);
    assert.doesNotMatch(revised, /Unremarkable examination/);
    const tags = status(revised);
    assert.equal(tags.get('liver'), 'abnormal');
    assert.equal(tags.get('pancreas'), 'abnormal');
    assert.equal(tags.get('right kidney'), 'present');
  });

  it('adds a finding after a sentence that also describes other organs', () => {
    const revised = reviseReport(
      report,
      {
        ...none,
        lesions: [{ organ: 'left kidney', kind: 'cyst', center: [0, 0, 0], radiusMm: 4, hu: 5 }],
      },
      vocabulary,
    );
    assert.match(revised, /without hydronephrosis\. An 8 mm simple cyst in the left kidney\./);
    assert.equal(status(revised).get('left kidney'), 'abnormal');
    assert.equal(status(revised).get('right kidney'), 'present');
  });
});
