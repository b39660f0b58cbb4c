import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { readMetrics } from '../train/run-record.js';
import { writeSyntheticPairs } from '../train/synthetic-pairs.js';
import { run } from './pretrain.js';

test('mosmos pretrain rejects bad options with one clear message', async () => {
  await assert.rejects(
    run([]),
    (e: unknown) => e instanceof InputError && /--pairs and --out are required/.test(e.message),
  );
  await assert.rejects(
    run(['--pairs', 'p.jsonl', '--out', 'o', '--arch', 'vgg']),
    /--arch: expected one of unet2d, unetr/,
  );
  await assert.rejects(
    run(['--pairs', 'p.jsonl', '--out', 'o', '--tags', 'knee']),
    /--tags: expected one of btcv/,
  );
  await assert.rejects(
    run(['--pairs', 'p.jsonl', '--out', 'o', '--spacing', '1,2']),
    /--spacing: expected 3/,
  );
  await assert.rejects(
    run(['--pairs', 'missing.jsonl', '--out', 'o']),
    /missing\.jsonl: pairs manifest not found/,
  );
  await assert.rejects(run(['--export-attention', 'x.nii.gz']), /needs --model <run> and --out <dir>/);
});

test('mosmos pretrain trains, resumes for more epochs and exports attention maps', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-cli-pretrain-'));
  await writeSyntheticPairs(dir, { cases: 8, seed: 9, size: 16, slices: 4 });
  const out = join(dir, 'run');
  const common = ['--pairs', join(dir, 'pairs.jsonl'), '--out', out, '--tags', 'btcv'];
  const small = ['--widths', '4,8', '--embed-dim', '16', '--spacing', '3,3,3', '--batch', '3'];
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(await run([...common, ...small, '--epochs', '1', '--max-tokens', '48', '--no-worker']), 0);
    assert.equal(await run([...common, '--epochs', '2', '--resume']), 0);
    const epochs = readMetrics(out).filter((m) => m.type === 'epoch');
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [1, 2],
    );
    const maps = join(dir, 'maps');
    assert.equal(
      await run(['--export-attention', join(dir, 'case001.nii.gz'), '--model', out, '--out', maps]),
      0,
    );
    assert.ok(existsSync(join(maps, 'attention_liver.nii.gz')));
  } finally {
    console.log = log;
  }
});
