import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainWordPiece, WordPieceTokenizer } from '../report/wordpiece.js';
import { chunkPoolingWeights, reportTokens } from './report-tokens.js';

const sentence = (i: number) => `Finding number ${i} shows the liver and the spleen are unremarkable.`;
const long = Array.from({ length: 12 }, (_, i) => sentence(i)).join(' ');
const tokenizer = new WordPieceTokenizer(trainWordPiece([long, 'short report.'], { vocabSize: 300 }));

test('a report longer than maxTokens is split at sentences, nothing is cut, and chunks pool back to it', () => {
  const whole = tokenizer.tokenize(long).length;
  const t = reportTokens(tokenizer, [long, 'Short report.'], 48);
  assert.ok(whole > 46, `the test report must be longer than a chunk (${whole} tokens)`);
  assert.equal(t.truncated, 0);
  assert.equal(t.chunked, 1);
  assert.equal(t.longest, whole);
  const rows = t.owner.filter((o) => o === 0).length;
  assert.ok(rows >= Math.ceil(whole / 46));
  // Every real token of the report is in one of its chunks: the chunks' tokens add up to the whole.
  const real = t.lengths.filter((_, i) => t.owner[i] === 0).reduce((a, b) => a + b - 2, 0);
  assert.equal(real, whole);
  assert.ok(t.batch.length <= 48);
  const w = chunkPoolingWeights(t);
  const sum = (r: number) =>
    Array.from(w.subarray(r * t.owner.length, (r + 1) * t.owner.length)).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(0) - 1) < 1e-6 && Math.abs(sum(1) - 1) < 1e-6);
});

test('a single sentence longer than maxTokens is cut and counted, never silently', () => {
  const t = reportTokens(tokenizer, [long.replaceAll('.', ',')], 16);
  assert.ok(t.truncated >= 1);
  const fits = reportTokens(tokenizer, [long], 256);
  assert.equal(fits.truncated, 0);
  assert.equal(fits.chunked, 0);
});
