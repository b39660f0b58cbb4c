import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { writeSyntheticPairs } from '../train/synthetic-pairs.js';
import { PreparePool } from './prepare-pool.js';
import { defaultPreprocess } from './preprocess.js';

test('the worker thread prepares the same volume as the main thread, and reports bad files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-pool-'));
  await writeSyntheticPairs(dir, { cases: 1, seed: 2, size: 16, slices: 4 });
  const image = join(dir, 'case000.nii.gz');
  const inWorker = new PreparePool(defaultPreprocess, join(dir, 'cache'));
  const direct = new PreparePool(defaultPreprocess, undefined, false);
  try {
    const a = await inWorker.prepare(image);
    const b = await direct.prepare(image);
    assert.deepEqual(a.dims, b.dims);
    assert.deepEqual(a.data, b.data);
    assert.deepEqual(a.affine, b.affine);
    // Second request: from the on-disk cache, same values.
    assert.deepEqual((await inWorker.prepare(image)).data, b.data);
    await assert.rejects(inWorker.prepare(join(dir, 'missing.nii.gz')), InputError);
  } finally {
    await inWorker.close();
  }
});
