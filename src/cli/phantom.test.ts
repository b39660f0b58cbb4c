import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readNifti } from '../io/nifti/index.js';
import { main } from './main.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-cli-phantom-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function quietly<T>(run: () => Promise<T>): Promise<{ value: T; printed: string }> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void printed.push(parts.join(' '));
  try {
    return { value: await run(), printed: printed.join('\n') };
  } finally {
    console.log = original;
  }
}

test('phantom writes a BTCV cohort with pairs.jsonl; finetune and segment run on it from the CLI', async () => {
  const data = join(root, 'cohort');
  const written = await quietly(() =>
    main(['phantom', '--cases', '4', '--out', data, '--size', '32,32,12', '--seed', '3']),
  );
  assert.equal(written.value, 0);
  const image = await readNifti(join(data, 'img', 'img0001.nii.gz'));
  assert.deepEqual(image.dims, [32, 32, 12]);
  assert.ok(existsSync(join(data, 'label', 'label0004.nii.gz')));
  assert.equal(readFileSync(join(data, 'pairs.jsonl'), 'utf8').trim().split('\n').length, 4);
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => void errors.push(parts.join(' '));
  try {
    assert.equal(await main(['phantom', '--cases', '4', '--out', data]), 1);
    assert.equal(await main(['phantom', '--cases', 'x', '--out', join(root, 'bad')]), 1);
  } finally {
    console.error = original;
  }
  assert.match(errors[0]!, /exists/);
  assert.match(errors[1]!, /option --cases: expected a number/);

  const run = join(root, 'run');
  const trained = await quietly(() =>
    main([
      'finetune',
      '--data',
      data,
      '--arch',
      'unet2d',
      '--out',
      run,
      '--epochs',
      '2',
      '--steps',
      '2',
      '--batch',
      '2',
      '--patch',
      '16,16',
      '--widths',
      '4,8',
      '--spacing',
      '12,12,15',
      '--no-worker',
      '--val-every',
      '1',
    ]),
  );
  assert.equal(trained.value, 0);
  assert.match(trained.printed, /finished after 4 step\(s\) of 4/);
  const seg = join(root, 'seg.nii.gz');
  const segmented = await quietly(() =>
    main(['segment', join(data, 'img', 'img0002.nii.gz'), '--model', run, '--out', seg]),
  );
  assert.equal(segmented.value, 0);
  assert.deepEqual((await readNifti(seg)).dims, [32, 32, 12]);
});
