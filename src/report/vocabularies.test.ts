import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getVocabulary, tagForLabel } from './vocabularies.js';

test('dataset label values match the datasets’ own numbering', () => {
  const btcv = getVocabulary('btcv');
  assert.equal(btcv.tags.length, 13);
  assert.deepEqual(
    [1, 2, 3, 4, 9, 10, 11, 12, 13].map((l) => tagForLabel(btcv, l)?.name),
    [
      'spleen',
      'right kidney',
      'left kidney',
      'gallbladder',
      'inferior vena cava',
      'portal and splenic vein',
      'pancreas',
      'right adrenal gland',
      'left adrenal gland',
    ],
  );
  const amos = getVocabulary('amos');
  assert.equal(amos.tags.length, 15);
  assert.deepEqual(
    [9, 10, 13, 14, 15].map((l) => tagForLabel(amos, l)?.name),
    ['postcava', 'pancreas', 'duodenum', 'urinary bladder', 'prostate/uterus'],
  );
  const mmwhs = getVocabulary('mmwhs');
  assert.deepEqual(
    mmwhs.tags.map((t) => t.label),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(tagForLabel(mmwhs, 3)?.abbreviations.includes('LV'), true);
  const brats = getVocabulary('brats');
  assert.deepEqual(
    brats.tags.map((t) => [t.name, t.labels]),
    [
      ['enhancing tumour', [4]],
      ['tumour core', [1, 4]],
      ['whole tumour', [1, 2, 4]],
    ],
  );
  assert.ok(getVocabulary('abdomen').tags.length >= 16);
});

test('prompts and unknown names', () => {
  assert.equal(tagForLabel(getVocabulary('btcv'), 3)?.prompt, 'the left kidney');
  assert.throws(() => getVocabulary('chest'), /unknown vocabulary "chest"/);
});
