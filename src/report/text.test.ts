import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitSentences, tokenize } from './text.js';

test('sentences split at full stops but not in decimals, abbreviations or list markers', () => {
  const text =
    'The spleen measures 13.5 cm. Dr. Smith noted p.o. intake! 1. Stable. 2. No effusion\n\nIMPRESSION: normal';
  const sentences = splitSentences(text);
  assert.deepEqual(
    sentences.map((s) => s.text),
    [
      'The spleen measures 13.5 cm.',
      'Dr. Smith noted p.o. intake!',
      '1. Stable.',
      '2. No effusion',
      'IMPRESSION: normal',
    ],
  );
  for (const s of sentences) assert.equal(text.slice(s.start, s.end), s.text);
});

test('tokens keep offsets, hyphenated words and abbreviations whole', () => {
  const text = 'Non-radiating pain, s/p CABG.';
  const tokens = tokenize(text, 10);
  assert.deepEqual(
    tokens.map((t) => t.norm),
    ['non-radiating', 'pain', ',', 's/p', 'cabg', '.'],
  );
  assert.deepEqual(
    tokens.map((t) => t.punct),
    [false, false, true, false, false, true],
  );
  for (const t of tokens) assert.equal(text.slice(t.start - 10, t.end - 10), t.text);
});
