import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { basicTokenize, trainWordPiece, WordPieceTokenizer } from './wordpiece.js';

// A hand-made BERT-format vocabulary (ids = line numbers); [UNK] etc. at BERT's own places is
// not required, so they are put at unusual ids to check they are found by name.
const handVocab = [
  '[PAD]',
  'the',
  'un',
  '##aff',
  '##able',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'liver',
  'is',
  'hepat',
  '##ic',
  '##omegaly',
  ',',
  '.',
  '!',
  'hello',
  'world',
  'cafe',
];

function withVocab(lines: string[], fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-wordpiece-'));
  try {
    const path = join(dir, 'vocab.txt');
    writeFileSync(path, `${lines.join('\n')}\n`);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('basic tokenizer lowercases, strips accents and splits punctuation as BERT does', () => {
  assert.deepEqual(basicTokenize(' \tHeLLo!how  \n Are yoU?  '), ['hello', '!', 'how', 'are', 'you', '?']);
  assert.deepEqual(basicTokenize('Café s/p 3.5cm'), ['cafe', 's', '/', 'p', '3', '.', '5cm']);
  assert.deepEqual(basicTokenize('HeLLo', false), ['HeLLo']);
});

test('a BERT vocab.txt loads and tokenizes with BERT’s known splits', () => {
  withVocab(handVocab, (path) => {
    const tokenizer = WordPieceTokenizer.load(path);
    assert.equal(tokenizer.unkId, 5);
    assert.equal(tokenizer.clsId, 6);
    // BERT's own docstring example: "unaffable" -> un ##aff ##able.
    assert.deepEqual(tokenizer.tokenize('unaffable'), ['un', '##aff', '##able']);
    assert.deepEqual(tokenizer.tokenize('Hepatomegaly, hepatic!'), [
      'hepat',
      '##omegaly',
      ',',
      'hepat',
      '##ic',
      '!',
    ]);
    // A word with any unmatched part becomes a single [UNK], as in BERT.
    assert.deepEqual(tokenizer.tokenize('unwanted running Café'), ['[UNK]', '[UNK]', 'cafe']);
  });
});

test('encode adds [CLS]/[SEP], pads, masks and truncates', () => {
  withVocab(handVocab, (path) => {
    const tokenizer = WordPieceTokenizer.load(path);
    const { ids, mask } = tokenizer.encode('The liver is unaffable.', 10);
    assert.deepEqual([...ids], [6, 1, 9, 10, 2, 3, 4, 15, 7, 0]);
    assert.deepEqual([...mask], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const short = tokenizer.encode('The liver is unaffable.', 4);
    assert.deepEqual([...short.ids], [6, 1, 9, 7]);
    assert.deepEqual(tokenizer.decode(short.ids), ['[CLS]', 'the', 'liver', '[SEP]']);
  });
});

test('a vocabulary without [UNK] is a clear error naming the file', () => {
  withVocab(['[PAD]', '[CLS]', '[SEP]', '[MASK]', 'a'], (path) => {
    assert.throws(
      () => WordPieceTokenizer.load(path),
      (e: Error) => e.message.startsWith(path) && /\[UNK\]/.test(e.message),
    );
  });
});

test('training is deterministic, learns frequent words whole and round-trips through vocab.txt', () => {
  const corpus = [
    'The liver is normal. The spleen is normal.',
    'Status post cholecystectomy. The liver is enlarged.',
    'The left kidney is surgically absent. The right kidney is normal.',
    'Splenomegaly. The kidneys are normal without hydronephrosis.',
  ];
  const a = trainWordPiece(corpus, { vocabSize: 120 });
  const b = trainWordPiece([...corpus], { vocabSize: 120 });
  assert.deepEqual(a.tokens, b.tokens);
  assert.equal(a.tokens.length, 120);
  assert.deepEqual(a.tokens.slice(0, 5), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  const tokenizer = new WordPieceTokenizer(a);
  // Every corpus word is covered by pieces (no [UNK]), and the pieces spell the word.
  for (const text of corpus) assert.ok(!tokenizer.tokenize(text).includes('[UNK]'), text);
  assert.equal(tokenizer.tokenize('hydronephrosis').join(' ').replace(/ ##/g, ''), 'hydronephrosis');
  // Given room, merging goes on until every word is one token, then stops.
  const full = new WordPieceTokenizer(trainWordPiece(corpus, { vocabSize: 5000 }));
  assert.ok(full.size < 5000);
  for (const word of ['the', 'normal', 'liver', 'kidney', 'cholecystectomy'])
    assert.deepEqual(full.tokenize(word), [word]);
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-wordpiece-'));
  try {
    const path = join(dir, 'vocab.txt');
    tokenizer.save(path);
    assert.equal(readFileSync(path, 'utf8').split('\n')[0], '[PAD]');
    const loaded = WordPieceTokenizer.load(path);
    assert.deepEqual(loaded.encode(corpus[2]!, 32), tokenizer.encode(corpus[2]!, 32));
    assert.throws(() => tokenizer.save(path), /exists/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
