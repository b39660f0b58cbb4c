// A run folder holds one run: --force starts an empty folder, checkpoints and weights carry the
// run's id, resume continues only its own run and logs each step once, and a run stopped before its
// first checkpoint can be resumed.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { AdamW, parameter } from '../engine/index.js';
import { collectWarnings } from '../warnings.js';
import { loadCheckpoint, resumedConfig, saveCheckpoint } from './checkpoint.js';
import { appendMetrics, createRunFolder, readMetrics, readRunInfo } from './run-record.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-run-identity-'));
after(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;
const runDir = () => join(root, `run${runs++}`);

const runInfo = {
  command: 'finetune',
  argv: [],
  seed: 1,
  dataFingerprint: 'x',
  config: { epochs: 2, maxSteps: 0 },
};
const tinyModel = (value: number) => ({ w: parameter([value, value + 1], [2]) });
const position = (step: number) => ({ epoch: 0, batchInEpoch: step, step, rngState: [1, 2, 3, 4] });

test('--force moves the old run aside and starts an empty folder with a new run id', async () => {
  const dir = runDir();
  const first = createRunFolder(dir, runInfo);
  const model = tinyModel(1);
  await saveCheckpoint(dir, model, new AdamW([model.w]), position(3));
  writeFileSync(join(dir, 'best.safetensors'), 'old weights');
  assert.throws(() => createRunFolder(dir, runInfo), /already holds a run \(pass --resume .* or --force/);

  const { result: second, warnings } = await collectWarnings(async () =>
    createRunFolder(dir, runInfo, { force: true }),
  );
  assert.ok(first.runId && second.runId && first.runId !== second.runId, 'each run gets its own id');
  assert.deepEqual(readdirSync(dir), ['run.json'], 'the new run starts empty');
  const aside = readdirSync(root).filter((n) => n.startsWith(`${basename(dir)}.old-`));
  assert.equal(aside.length, 1);
  assert.ok(existsSync(join(root, aside[0]!, 'best.safetensors')), 'the old run is kept, not deleted');
  assert.equal(readRunInfo(join(root, aside[0]!)).runId, first.runId);
  assert.match(warnings[0]!, new RegExp(`moved the earlier run to .*${aside[0]}`));
});

test('a checkpoint carries its run id; resume refuses a checkpoint of another run, naming both files', async () => {
  const a = runDir();
  const b = runDir();
  createRunFolder(a, runInfo);
  createRunFolder(b, runInfo);
  const model = tinyModel(5);
  await saveCheckpoint(a, model, new AdamW([model.w]), position(2));
  const sidecar = JSON.parse(readFileSync(join(a, 'checkpoint.json'), 'utf8'));
  assert.equal(sidecar.runId, readRunInfo(a).runId);
  // Its own run loads it.
  assert.equal((await loadCheckpoint(a, tinyModel(0)))?.step, 2);
  // Copied into another run, it is refused by resume and by loading.
  for (const name of ['checkpoint.json', sidecar.weights as string])
    copyFileSync(join(a, name), join(b, name));
  const mixed = new RegExp(
    `${b}/checkpoint\\.json: belongs to run ${sidecar.runId}, but ${b}/run\\.json describes run ${readRunInfo(b).runId}`,
  );
  assert.throws(() => resumedConfig(b, { epochs: 2, resume: true, maxSteps: 0 }), mixed);
  await assert.rejects(loadCheckpoint(b, tinyModel(0)), mixed);
});

test('resume cuts metrics.jsonl back to the checkpoint, so no step is logged twice', async () => {
  const dir = runDir();
  createRunFolder(dir, runInfo);
  const model = tinyModel(1);
  for (let step = 1; step <= 4; step++) appendMetrics(dir, { type: 'step', step, loss: 1 / step });
  await saveCheckpoint(dir, model, new AdamW([model.w]), position(4));
  appendMetrics(dir, { type: 'epoch', epoch: 1, step: 4 });
  // Steps 5 and 6 were trained and logged, then the run was killed before the next checkpoint
  // (the last line half-written).
  appendMetrics(dir, { type: 'step', step: 5, loss: 0.2 });
  appendMetrics(dir, { type: 'step', step: 6, loss: 0.1 });
  appendFileSync(join(dir, 'metrics.jsonl'), '{"type":"step","st');
  const { warnings } = await collectWarnings(async () =>
    resumedConfig(dir, { epochs: 2, resume: true, maxSteps: 0 }),
  );
  assert.deepEqual(
    readMetrics(dir).map((r) => r.step),
    [1, 2, 3, 4, 4],
  );
  assert.match(warnings.join('\n'), /metrics\.jsonl: line 8 is incomplete/);
  // The resumed run appends to clean lines.
  appendMetrics(dir, { type: 'step', step: 5, loss: 0.3 });
  assert.deepEqual(
    readMetrics(dir).map((r) => r.step),
    [1, 2, 3, 4, 4, 5],
  );
});

test('metrics.jsonl: a torn last line is skipped with a warning; a bad line elsewhere names file and line', async () => {
  const dir = runDir();
  createRunFolder(dir, runInfo);
  appendMetrics(dir, { step: 1 });
  appendFileSync(join(dir, 'metrics.jsonl'), '{"step": 2, "lo');
  const torn = await collectWarnings(async () => readMetrics(dir));
  assert.deepEqual(torn.result, [{ step: 1 }]);
  assert.equal(torn.warnings.length, 1);
  writeFileSync(join(dir, 'metrics.jsonl'), '{"step": 1}\nnot json\n{"step": 3}\n');
  assert.throws(() => readMetrics(dir), new RegExp(`${dir}/metrics\\.jsonl: line 2 is not valid JSON`));
});

test('a run stopped before its first checkpoint resumes from step 0, with a line saying so', async () => {
  const dir = runDir();
  createRunFolder(dir, runInfo);
  appendMetrics(dir, { type: 'step', step: 1, loss: 1 });
  const { result, warnings } = await collectWarnings(async () =>
    resumedConfig(dir, { epochs: 3, resume: true, maxSteps: 0 }),
  );
  assert.equal(result.epochs, 3);
  assert.match(warnings[0]!, /no checkpoint yet .*starting it again from step 0/);
  assert.deepEqual(readMetrics(dir), [], 'the steps of the lost attempt are not kept');
  assert.equal(dirname(dir), root);
});
