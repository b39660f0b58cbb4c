import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { openDataset, readCaseLabel } from '../data/dataset.js';
import { loadSafetensors } from '../engine/index.js';
import { writePhantomDataset } from '../phantom/dataset.js';
import { finetune } from './finetune.js';
import { defaultFinetuneConfig, type FinetuneConfig } from './finetune-config.js';
import { reportAbsentLabels } from './finetune-data.js';
import {
  clearLabels,
  interleave,
  isSwitchStep,
  PSEUDO_LABELS_FILE,
  SELF_TRAINING_FILE,
  type SelfTrainingRecord,
} from './self-training.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-self-train-'));
after(() => rmSync(root, { recursive: true, force: true }));
const cohort = join(root, 'cohort');
const cohortReady = writePhantomDataset(cohort, { cases: 12, seed: 3, size: [24, 24, 12], force: true });

test('interleave alternates labelled and pseudo-labelled volumes, repeating the shorter list', () => {
  assert.deepEqual(interleave(['a', 'b'], ['1', '2', '3', '4', '5']), [
    'a',
    '1',
    'b',
    '2',
    'a',
    '3',
    'b',
    '4',
    'a',
    '5',
  ]);
  assert.deepEqual(interleave(['a'], []), ['a']);
});

test('clearLabels removes exactly the organs a report rules out', () => {
  const map = Uint8Array.from([0, 3, 4, 3, 6, 4]);
  assert.equal(clearLabels(map, new Set([3, 4])), 4);
  assert.deepEqual([...map], [0, 0, 0, 0, 6, 0]);
  assert.equal(clearLabels(map, new Set()), 0);
});

test('the switch is the first epoch boundary at or after the fraction of the planned steps', () => {
  const switches = (planned: number) =>
    Array.from({ length: planned }, (_, s) => s).filter((s) => isSwitchStep(0.5, s, planned, 50));
  assert.equal(switches(1000)[0], 500);
  assert.equal(switches(1010)[0], 550);
  assert.deepEqual(switches(40), []);
});

test('reports rule out exactly organs their label maps lack, and some case has one', async () => {
  await cohortReady;
  const dataset = openDataset(cohort, 'btcv');
  const absent = reportAbsentLabels(dataset, 'btcv');
  let ruledOut = 0;
  for (const c of dataset.cases) {
    const labels = new Set((await readCaseLabel(dataset, c)).data);
    for (const v of absent.get(resolve(c.images[0]!)) ?? []) {
      assert.ok(!labels.has(v), `case ${c.id}: report rules out label ${v}, which its map holds`);
      ruledOut++;
    }
  }
  assert.ok(ruledOut > 0, 'no report rules out any organ: the test shows nothing');
});

const config = (out: string, extra: Partial<FinetuneConfig> = {}): FinetuneConfig => ({
  ...defaultFinetuneConfig,
  data: cohort,
  format: 'btcv',
  out: join(root, out),
  attentionMaps: false,
  widths: [8, 16],
  patch: [16, 16],
  batch: 4,
  epochs: 2,
  stepsPerEpoch: 4,
  valEvery: 100,
  labelledCases: 2,
  selfTrain: 0.5,
  worker: false,
  preprocess: { spacing: [8, 8, 10], intensity: { kind: 'ct', min: -175, max: 250 } },
  ...extra,
});
const quiet = { log: () => {}, progressStream: { write: () => true } };

test('self-training pseudo-labels the unlabelled training cases at the switch and resumes exactly on either side of it', async () => {
  await cohortReady;
  const whole = await finetune(config('whole'), quiet);
  assert.equal(whole.steps, 8);
  const record = JSON.parse(
    readFileSync(join(root, 'whole', SELF_TRAINING_FILE), 'utf8'),
  ) as SelfTrainingRecord;
  assert.equal(record.fromStep, 4);
  const unlabelled = whole.splits.trainAll.filter((id) => !whole.splits.train.includes(id));
  assert.deepEqual(
    record.cases.map((c) => c.id),
    unlabelled,
  );
  const bytes = readFileSync(join(root, 'whole', PSEUDO_LABELS_FILE));
  assert.equal(
    bytes.length,
    record.cases.reduce((n, c) => n + c.dims[0] * c.dims[1] * c.dims[2], 0),
  );

  // The tensors, not the files: each run folder's metadata carries its own run id.
  const weights = async (run: string) => {
    const file = await loadSafetensors(join(root, run, 'last.safetensors'));
    return Object.entries(file.tensors).map(([name, t]) => [name, [...t.values]]);
  };
  for (const [run, first] of [
    ['before', 3],
    ['after', 6],
  ] as const) {
    await finetune(config(run, { maxSteps: first }), quiet);
    const resumed = await finetune(config(run, { resume: true }), quiet);
    assert.equal(resumed.steps, 8 - first, run);
    assert.deepEqual(await weights(run), await weights('whole'), `resumed ${run} the switch: weights differ`);
  }
  assert.ok(readFileSync(join(root, 'after', PSEUDO_LABELS_FILE)).equals(bytes));

  // A record for other cases is refused with the file named, not trained on.
  const recordFile = join(root, 'after', SELF_TRAINING_FILE);
  writeFileSync(recordFile, JSON.stringify({ ...record, cases: record.cases.slice(1) }));
  await assert.rejects(
    finetune(config('after', { resume: true }), quiet),
    /self-training\.json.*another run/,
  );
});
