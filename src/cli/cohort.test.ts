import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { InputError } from '../errors.js';
import { readVolume } from '../io/read-volume.js';
import { parseSpacing, run } from './cohort.js';
import { perSource } from './labelled-scans.js';

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

  it('takes one value per source scan, or one for all', async () => {
    assert.deepEqual(perSource('scheme', 'total,total_mr', 2), ['total', 'total_mr']);
    assert.deepEqual(perSource('modality', 'ct', 2), ['ct', 'ct']);
    assert.throws(() => perSource('scheme', 'a,b,c', 2), /option --scheme: 3 values for 2 source scans/);
    await assert.rejects(
      run(['--image', 'a,b', '--labels', 'la', '--out', 'c']),
      /option --labels: 1 label maps for 2 images/,
    );
    await assert.rejects(
      run(['--image', 'a', '--labels', 'la', '--out', 'c', '--modality', 'pet']),
      /option --modality: expected ct or mr, got "pet"/,
    );
  });
});

describe('mosmos cohort from a CT and an MR (shared data)', { skip: sharedDataSkip() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-cli-cohort-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('alternates the cases between patient A and the MR patient as pseudo-CT', async () => {
    const out = join(dir, 'cohort');
    const code = await run([
      ...[
        '--image',
        `${sharedData('ct-abdomen', 'ct.nii.gz')},${sharedData('mr-abdomen', 'mr_small.nii.gz')}`,
      ],
      ...[
        '--labels',
        `${sharedData('ct-abdomen', 'seg_total_61.nii.gz')},${sharedData('mr-abdomen', 'seg_small_total_mr_23.nii.gz')}`,
      ],
      ...['--modality', 'ct,mr', '--label-names', sharedData('ct-abdomen', 'label_maps.json')],
      ...['--scheme', 'total,total_mr', '--cases', '2', '--spacing', '3,3,3', '--out', out, '--quiet'],
    ]);
    assert.equal(code, 0);
    const record = JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8'));
    assert.deepEqual(
      record.sources.map((s: { modality: string; cases: number }) => [s.modality, s.cases]),
      [
        ['ct', 1],
        ['mr', 1],
      ],
    );
    const pairs = readFileSync(join(out, 'pairs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.match(pairs[1].source, /mr_small\.nii\.gz$/);
    const label = await readVolume(join(out, pairs[1].label));
    assert.ok(label.data.includes(6), 'the liver (BTCV 6), which spans every slice of the MR, is labelled');
    assert.ok(pairs[1].report.length > 100);
  });
});
