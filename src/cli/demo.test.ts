import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run } from './demo.js';

describe('mosmos demo --anatomy arguments', () => {
  const test = ['--test-image', 'b/', '--test-labels', 'b.nii.gz'];

  it('takes one label map per anatomy scan', async () => {
    await assert.rejects(
      run(['--anatomy', 'a.nii.gz,m.nii.gz', '--anatomy-labels', 'la.nii.gz', ...test]),
      /option --anatomy-labels: 1 label maps for 2 anatomy scans/,
    );
  });

  it('names a wrong modality or a modality list of the wrong length', async () => {
    const two = ['--anatomy', 'a,m', '--anatomy-labels', 'la,lm', ...test];
    await assert.rejects(run([...two, '--anatomy-modality', 'ct,pet']), /expected ct or mr, got "pet"/);
    await assert.rejects(
      run([...two, '--anatomy-modality', 'ct,mr,ct']),
      /option --anatomy-modality: 3 values for 2 source scans/,
    );
  });
});
