import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cacheKey, contentHash, VolumeCache } from './volume-cache.js';

test('a cached volume is computed once per content and settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-cache-'));
  const source = join(dir, 'img.nii');
  writeFileSync(source, 'voxels');
  const cache = new VolumeCache(join(dir, 'cache'));
  let computed = 0;
  const compute = async () => {
    computed++;
    return {
      data: Float32Array.from([1, 2, 3, 4]),
      dims: [2, 2, 1] as [number, number, number],
      spacing: [1, 1, 2] as [number, number, number],
    };
  };
  const a = await cache.getOrCompute(source, { spacing: [1, 1, 2] }, compute);
  const b = await cache.getOrCompute(source, { spacing: [1, 1, 2] }, compute);
  assert.equal(computed, 1);
  assert.deepEqual(b.data, a.data);
  await cache.getOrCompute(source, { spacing: [2, 2, 2] }, compute);
  assert.equal(computed, 2);
  writeFileSync(source, 'other voxels');
  await cache.getOrCompute(source, { spacing: [1, 1, 2] }, compute);
  assert.equal(computed, 3);
  assert.notEqual(
    cacheKey(await contentHash(source), { a: 1 }),
    cacheKey(await contentHash(source), { a: 2 }),
  );
});
