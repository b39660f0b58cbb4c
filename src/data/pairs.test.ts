import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { readPairs } from './pairs.js';

function fixture(lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-pairs-'));
  writeFileSync(join(dir, 'a.nii.gz'), 'x');
  writeFileSync(join(dir, 'b.nii.gz'), 'x');
  writeFileSync(join(dir, 'r.txt'), 'The spleen is normal.');
  const path = join(dir, 'pairs.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { dir, path };
}

const tagger = (text: string): Record<string, 'present'> =>
  /liver|spleen/i.test(text) ? { liver: 'present' } : {};

test('reads image paths relative to the manifest, report text or .txt, tags and generated', () => {
  const { dir, path } = fixture([
    '{"image":"a.nii.gz","report":"The liver is normal.","generated":true}',
    '',
    '{"image":"b.nii.gz","report":"r.txt","tags":{"spleen":"present"}}',
  ]);
  const m = readPairs(path, { tagReport: tagger });
  assert.equal(m.pairs.length, 2);
  assert.equal(m.pairs[0]!.image, join(dir, 'a.nii.gz'));
  assert.equal(m.pairs[0]!.generated, true);
  assert.equal(m.pairs[1]!.report, 'The spleen is normal.');
  assert.equal(m.pairs[1]!.line, 3);
  assert.deepEqual(m.pairs[1]!.tags, { spleen: 'present' });
});

test('a bad line is an error naming the manifest line; --skip-bad counts it instead', () => {
  const { path } = fixture([
    '{"image":"a.nii.gz","report":"The liver is normal."}',
    '{"image":"missing.nii.gz","report":"The liver is normal."}',
    '{"image":"a.nii.gz","report":"   "}',
    '{"image":"a.nii.gz","report":"Nothing to see."}',
    'not json',
  ]);
  assert.throws(
    () => readPairs(path, { tagReport: tagger }),
    (e: unknown) => e instanceof InputError && e.message.includes(':2: image not found'),
  );
  const m = readPairs(path, { tagReport: tagger, skipBad: true });
  assert.equal(m.pairs.length, 1);
  assert.deepEqual(
    m.skipped.map((s) => s.line),
    [2, 3, 4, 5],
  );
  assert.match(m.skipped[1]!.reason, /empty report/);
  assert.match(m.skipped[2]!.reason, /no organ tag/);
});

test('a manifest with no usable pair is an error', () => {
  const { path } = fixture(['{"image":"missing.nii.gz","report":"liver"}']);
  assert.throws(() => readPairs(path, { skipBad: true }), /no usable/);
});
