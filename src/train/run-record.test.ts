import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { version } from '../version.js';
import { appendMetrics, createRunFolder, dataFingerprint, readMetrics, readRunInfo } from './run-record.js';

test('run.json records version, arguments, seed and fingerprint; a second run is refused', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'mosmos-run-')), 'run');
  const info = createRunFolder(dir, {
    command: 'pretrain',
    argv: ['--seed', '3'],
    seed: 3,
    dataFingerprint: 'abc',
    config: { lr: 1e-3 },
  });
  assert.equal(info.version, version);
  const stored = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(stored.seed, 3);
  assert.deepEqual(stored.argv, ['--seed', '3']);
  assert.throws(
    () => createRunFolder(dir, { command: 'pretrain', argv: [], seed: 1, dataFingerprint: '', config: {} }),
    InputError,
  );
  assert.equal(createRunFolder(dir, info, { resume: true }).seed, 3);
  assert.equal(readRunInfo(dir).dataFingerprint, 'abc');
});

test('metrics.jsonl appends one object per line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-run-'));
  appendMetrics(dir, { step: 1, loss: 2 });
  appendMetrics(dir, { step: 2, loss: 1 });
  assert.deepEqual(readMetrics(dir), [
    { step: 1, loss: 2 },
    { step: 2, loss: 1 },
  ]);
});

test('the data fingerprint changes when a referenced file changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-fp-'));
  const manifest = join(dir, 'pairs.jsonl');
  const image = join(dir, 'a.nii');
  writeFileSync(manifest, '{"image":"a.nii","report":"liver"}\n');
  writeFileSync(image, 'x');
  const before = dataFingerprint(manifest, [image]);
  assert.equal(dataFingerprint(manifest, [image]), before);
  writeFileSync(image, 'xy');
  assert.notEqual(dataFingerprint(manifest, [image]), before);
});
