// Reports from careless or hostile sources: a run-on "sentence" of 120 kB without punctuation made
// tagging quadratic (past 60 s). Work per sentence is now capped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tagReport } from './tagger.js';
import { boundSentences, MAX_SENTENCE_CHARS, splitSentences } from './text.js';
import { getVocabulary } from './vocabularies.js';

test('sentences longer than the cap are cut at white space, offsets still pointing into the report', () => {
  const text = `Intro. ${'the liver is normal and '.repeat(300)}end. Short one.`;
  const pieces = boundSentences(splitSentences(text));
  assert.ok(pieces.length > 7, `${pieces.length} pieces`);
  for (const piece of pieces) {
    assert.ok(piece.text.length <= MAX_SENTENCE_CHARS, `${piece.text.length} characters`);
    assert.equal(text.slice(piece.start, piece.end), piece.text);
    assert.ok(!/^\s|\s$/.test(piece.text));
  }
  // Every word of the report is in exactly one piece.
  assert.equal(
    pieces
      .map((p) => p.text)
      .join(' ')
      .split(/\s+/).length,
    text.split(/\s+/).length,
  );
  // Sentences under the cap are untouched.
  assert.deepEqual(
    boundSentences(splitSentences('No ascites. Liver normal.')),
    splitSentences('No ascites. Liver normal.'),
  );
});

// Before the cap this took over 60 s; with it about half a second. The bound is loose on purpose
// (a loaded machine), yet far below the quadratic time.
test('a 120 kB sentence without punctuation is tagged in seconds, not minutes', { timeout: 20_000 }, () => {
  const vocabulary = getVocabulary('abdomen');
  const sentence = 'the liver is enlarged and no splenic lesion and the left kidney '.repeat(1900);
  assert.ok(sentence.length > 120_000);
  const started = performance.now();
  const tags = tagReport(sentence, vocabulary);
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds < 10, `${seconds.toFixed(1)} s`);
  assert.deepEqual(tags.map((t) => t.tag).sort(), ['left kidney', 'liver', 'spleen']);
});
