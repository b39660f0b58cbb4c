import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { makeBtcv, makeMmwhs, tempDir } from '../../test/fixtures-datasets.js';
import { run } from './finetune.js';

const root = tempDir('mosmos-finetune-plan-');
after(() => rmSync(root, { recursive: true, force: true }));

async function finetune(argv: string[]): Promise<void> {
  const log = mock.method(console, 'log', () => {});
  const err = mock.method(console, 'error', () => {});
  try {
    assert.equal(await run([...argv, '--epochs', '1', '--steps', '1', '--val-every', '1', '--no-worker']), 0);
  } finally {
    log.mock.restore();
    err.mock.restore();
  }
}

test('finetune plans the dataset when no plan is given, writes plans.json, and the command line overrides it', async () => {
  const data = await makeBtcv(join(root, 'btcv'), [1, 2, 3]);
  const out = join(root, 'run-ct');
  await finetune(['--data', data, '--out', out, '--batch', '3']);
  const plan = JSON.parse(readFileSync(join(out, 'plans.json'), 'utf8'));
  assert.deepEqual(plan.dataset_fingerprint.cases.length, 3);
  const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  assert.equal(model.preprocess.intensity.kind, 'ct-zscore');
  assert.deepEqual(model.preprocess.spacing, plan.spacing);
  const runInfo = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(runInfo.config.batch, 3, 'an explicit --batch wins over the plan');
  assert.equal(runInfo.config.plan, undefined, 'the plan lives in plans.json, not run.json');
});

test('an MR dataset gets a per-image z-score from its plan, never the CT window', async () => {
  const data = await makeMmwhs(join(root, 'mmwhs'), [1001], [1002, 1003, 1004]);
  const out = join(root, 'run-mr');
  await finetune(['--data', data, '--modality', 'mr', '--out', out]);
  const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  assert.deepEqual(model.preprocess.intensity, { kind: 'zscore' });
  const noPlan = join(root, 'run-no-plan');
  await finetune(['--data', data, '--modality', 'mr', '--out', noPlan, '--no-plan']);
  assert.ok(!existsSync(join(noPlan, 'plans.json')));
});
