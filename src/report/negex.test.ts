import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { loadNegexTriggers, negexStatus, parseNegexTriggers } from './negex.js';

const rules = parseNegexTriggers(
  [
    'no\t\t[PREN]',
    'no change\t\t[PSEU]',
    'free\t\t[POST]',
    'possible\t\t[PREP]',
    'but\t\t[CONJ]',
    'denies\t\t[PREN]',
  ].join('\r\n'),
);

function status(sentence: string, concept: string, window?: number): string {
  const start = sentence.indexOf(concept);
  return negexStatus(sentence, { start, end: start + concept.length }, rules, window ? { window } : {});
}

test('NegEx: PREN scope runs to the sentence end unless a CONJ or another trigger ends it', () => {
  assert.equal(status('no fever , chills , or a very bad night sweats', 'night sweats'), 'negated');
  assert.equal(status('no fever but cough', 'cough'), 'affirmed');
  assert.equal(status('no change in the effusion', 'effusion'), 'affirmed');
  assert.equal(status('lungs free', 'lungs'), 'negated');
  assert.equal(status('possible pneumonia', 'pneumonia'), 'possible');
  // Punctuation is invisible to NegEx (negex.py splits on white space only).
  assert.equal(status('no fever; cough', 'cough'), 'negated');
});

test('NegEx: the optional window limits the words between trigger and concept', () => {
  assert.equal(status('denies a b c d e f pain', 'pain', 5), 'affirmed');
  assert.equal(status('denies a b c d pain', 'pain', 5), 'negated');
});

test('NegEx: a malformed trigger line is an error naming the file and line', () => {
  assert.throws(() => parseNegexTriggers('no\t\t[PREN]\nbad line', 'triggers.txt'), /triggers\.txt: line 2/);
});

test('NegEx: the published trigger file loads with all six trigger types', { skip: sharedDataSkip() }, () => {
  const loaded = loadNegexTriggers(sharedData('reports', 'negex', 'negex_triggers.txt'));
  const kinds = new Set(loaded.triggers.map((t) => t.kind));
  assert.deepEqual([...kinds].sort(), ['CONJ', 'POSP', 'POST', 'PREN', 'PREP', 'PSEU']);
  assert.equal(loaded.triggers.length, 272);
});
