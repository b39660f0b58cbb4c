import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { run as finetune } from './finetune.js';
import { run as segment } from './segment.js';

const rejects = (p: Promise<number>, pattern: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof InputError && pattern.test(e.message));

test('segment: bad options are one-line input errors', async () => {
  await rejects(segment(['ct.nii.gz', '--out', 'seg.nii.gz']), /--model/);
  await rejects(segment(['ct.nii.gz', '--model', 'run', '--out', 's.nii.gz', '--overlap', '1']), /overlap/);
  await rejects(
    segment(['ct.nii.gz', '--model', 'run', '--out', 's.nii.gz', '--postprocess', 'x']),
    /postprocess/,
  );
  await rejects(
    segment(['ct.nii.gz', '--model', 'run', '--out', 's.nii.gz', '--output-type', 'png']),
    /output-type/,
  );
  // Several inputs are the channels of a multi-channel model, each checked before any work.
  await rejects(segment(['a', 'b', '--model', 'run', '--out', 's.nii.gz']), /^a: no such file/);
  const many = Array.from({ length: 17 }, (_, i) => `c${i}.nii.gz`);
  await rejects(segment([...many, '--model', 'run', '--out', 's.nii.gz']), /expected <volume \| dicom-dir/);
});

test('finetune: bad options are one-line input errors', async () => {
  await rejects(finetune(['--data', 'd']), /--out/);
  await rejects(finetune(['--data', 'd', '--out', 'o', '--arch', 'vnet']), /--arch/);
  await rejects(finetune(['--data', 'd', '--out', 'o', '--attention-maps', 'maybe']), /attention-maps/);
  await rejects(finetune(['--data', 'd', '--out', 'o', '--patch', '64']), /--patch/);
});
