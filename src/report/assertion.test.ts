import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertionStatus } from './assertion.js';

/** Status of the first occurrence of `concept` in `sentence`. */
function status(sentence: string, concept: string): string {
  const start = sentence.toLowerCase().indexOf(concept.toLowerCase());
  assert.ok(start >= 0, `${concept} not in ${sentence}`);
  return assertionStatus(sentence, { start, end: start + concept.length }).status;
}

test('pre-negation reaches over lists and stops at contrast words and clause ends', () => {
  assert.equal(status('No ascites.', 'ascites'), 'absent');
  assert.equal(status('No fever, chills, or night sweats.', 'night sweats'), 'absent');
  assert.equal(status('Negative for pulmonary embolism.', 'pulmonary embolism'), 'absent');
  assert.equal(status('No pneumothorax but a small effusion.', 'effusion'), 'present');
  assert.equal(status('No pneumothorax; small effusion.', 'effusion'), 'present');
  assert.equal(status('Without evidence of free air, however there is ascites.', 'ascites'), 'present');
  assert.equal(status('No lymphadenopathy, and there is a large mass.', 'mass'), 'present');
});

test('post-negation: the concept before the cue', () => {
  assert.equal(status('The gallbladder is surgically absent.', 'gallbladder'), 'absent');
  assert.equal(status('Pneumothorax is not seen.', 'pneumothorax'), 'absent');
  assert.equal(status('Fecal occult blood was negative.', 'fecal occult blood'), 'absent');
  assert.equal(status('Allergies: none.', 'allergies'), 'present'); // a colon ends the clause
});

test('pseudo-negations do not negate', () => {
  assert.equal(status('No change in the size of the cyst.', 'cyst'), 'present');
  assert.equal(status('No interval change in the nodule.', 'nodule'), 'present');
  assert.equal(status('Not only effusion but also consolidation.', 'effusion'), 'present');
  assert.equal(status('No increase in hydronephrosis.', 'hydronephrosis'), 'present');
});

test('uncertainty cues hedge, before or after the concept', () => {
  assert.equal(status('Possible small left effusion.', 'effusion'), 'uncertain');
  assert.equal(status('Findings are suspicious for appendicitis.', 'appendicitis'), 'uncertain');
  assert.equal(status('Early pneumonia cannot be excluded.', 'pneumonia'), 'uncertain');
  assert.equal(status('Likely atelectasis.', 'atelectasis'), 'uncertain');
  assert.equal(status('This may represent a hemangioma.', 'hemangioma'), 'uncertain');
  assert.equal(status('Pneumonia is not ruled out.', 'pneumonia'), 'uncertain');
  assert.equal(status('The gallbladder may be absent.', 'gallbladder'), 'uncertain');
  assert.equal(status('Possibly no residual tumor.', 'tumor'), 'uncertain');
});

test('the deciding cue is returned with its offsets', () => {
  const sentence = 'There is no evidence of hydronephrosis.';
  const result = assertionStatus(sentence, { start: 24, end: 38 });
  assert.equal(result.status, 'absent');
  assert.equal(sentence.slice(result.cue!.start, result.cue!.end), 'no evidence of');
});
