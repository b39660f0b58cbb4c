import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../errors.js';
import { parseSpacing, run } from './cohort.js';

describe('mosmos cohort arguments', () => {
  it('reads a fixed voxel size or an in-plane range', () => {
    assert.deepEqual(parseSpacing('1.5,1.5,3'), { inPlaneMm: [1.5, 1.5], sliceMm: [3] });
    assert.deepEqual(parseSpacing('1.5-3'), { inPlaneMm: [1.5, 3] });
    assert.throws(() => parseSpacing('1,2,3'), /square/);
    assert.throws(() => parseSpacing('fine'), /expected x,y,z or lo-hi/);
  });

  it('names what is missing and rejects unknown schemes', async () => {
    await assert.rejects(
      run(['--image', 'ct.nii.gz', '--out', 'x']),
      /option --(image|labels|out) is required/,
    );
    await assert.rejects(
      run(['--image', 'a', '--labels', 'b', '--out', 'c', '--scheme', 'nope']),
      (error: unknown) => error instanceof InputError && /unknown label scheme "nope"/.test(error.message),
    );
  });
});
