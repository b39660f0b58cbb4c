import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AdamW, dropout, mean, mul, polyLr, seed, sub, tensor, tidy } from '../engine/index.js';
import { Linear } from '../nn/layers/linear.js';
import { applyGradients } from './apply-gradients.js';
import { stepRng } from './pretrain-data.js';
import { readMetrics } from './run-record.js';
import type { StopSignal } from './stop-signal.js';
import { planStepsForBudget, stepTimer } from './time-budget.js';
import { runTraining, type TrainingLoopOptions } from './training-loop.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-loop-'));
after(() => rmSync(root, { recursive: true, force: true }));
const never: StopSignal = { requested: false, request() {}, dispose() {} };

/** A linear regression whose batches come from the step's seeded generator and with dropout (engine RNG). */
function setup(dir: string, extra: Partial<TrainingLoopOptions> = {}) {
  seed(3);
  const model = { fc: new Linear(4, 1) };
  const optimizer = new AdamW([{ params: [model.fc.weight, model.fc.bias!] }], { lr: 0.05 });
  const options: TrainingLoopOptions = {
    runDir: join(root, dir),
    model,
    optimizer,
    epochs: 3,
    stepsPerEpoch: 4,
    schedule: (s, t) => polyLr(0.05, s, t),
    valEvery: 1,
    resume: false,
    log: () => {},
    progressStream: { write: () => true },
    stop: never,
    ...extra,
  };
  const hooks = {
    loadBatch: async (step: number) => {
      const rng = stepRng(11, step);
      const x = Float32Array.from({ length: 8 * 4 }, () => rng.next() * 2 - 1);
      const y = Float32Array.from({ length: 8 }, (_, i) => x[i * 4]! - 2 * x[i * 4 + 1]! + 0.5);
      return { x, y };
    },
    trainStep: (b: { x: Float32Array; y: Float32Array }) =>
      tidy(() => {
        const pred = model.fc.forward(dropout(tensor(b.x, [8, 4]), 0.1, true));
        const err = sub(pred, tensor(b.y, [8, 1]));
        const loss = mean(mul(err, err));
        applyGradients(loss, optimizer, 0);
        return { loss: loss.item() };
      }),
    validate: () => ({ score: 1 }),
  };
  return { options, hooks };
}

const losses = (dir: string) =>
  readMetrics(join(root, dir))
    .filter((r) => r.type === 'step')
    .map((r) => r.loss as number);

test('a run stopped mid-epoch resumes exactly: the same loss sequence as an uninterrupted run', async () => {
  const whole = setup('whole');
  const a = await runTraining(whole.options, whole.hooks);
  assert.equal(a.steps, 12);
  assert.equal(a.interrupted, false);
  assert.equal(a.epochLosses.length, 3);
  assert.ok(a.epochLosses[2]! < a.epochLosses[0]!, `${a.epochLosses}`);

  const cut = setup('cut', { maxSteps: 6 });
  const b = await runTraining(cut.options, cut.hooks);
  assert.equal(b.interrupted, true);
  assert.equal(b.position.step, 6);
  // A fresh process would rebuild the model from the seed; the checkpoint then overrides it.
  const resumed = setup('cut', { resume: true });
  const c = await runTraining(resumed.options, resumed.hooks);
  assert.equal(c.steps, 6);
  assert.deepEqual(losses('cut'), losses('whole'));
  const epochs = readMetrics(join(root, 'cut')).filter((r) => r.type === 'epoch');
  assert.deepEqual(
    epochs.map((r) => r.epoch),
    [1, 2, 3],
  );
  assert.equal(epochs[0]!.score, 1);
});

test('a failing step still leaves a checkpoint of the steps taken', async () => {
  const run = setup('fails');
  let calls = 0;
  const failing = {
    ...run.hooks,
    trainStep: (b: { x: Float32Array; y: Float32Array }) => {
      if (++calls === 3) throw new Error('unreadable image');
      return run.hooks.trainStep(b);
    },
  };
  await assert.rejects(runTraining(run.options, failing), /unreadable image/);
  const resumed = setup('fails', { resume: true });
  const c = await runTraining(resumed.options, resumed.hooks);
  assert.equal(c.steps, 10);
});

test('the time budget plans the steps from the measured step time and the poly schedule spans them', async () => {
  let clock = 0;
  const run = setup('budget', { timeBudgetMinutes: 1, epochs: 1000, valEvery: 0, now: () => clock });
  const timed = {
    ...run.hooks,
    trainStep: (b: { x: Float32Array; y: Float32Array }) => {
      clock += 500; // every step takes 0.5 s
      return run.hooks.trainStep(b);
    },
  };
  const outcome = await runTraining(run.options, timed);
  // 60 s at 0.5 s/step: about 116–120 steps (3 % margin at first), not the 4000 epochs × steps asked.
  assert.ok(outcome.plannedSteps >= 112 && outcome.plannedSteps <= 120, `${outcome.plannedSteps}`);
  assert.equal(outcome.steps, outcome.plannedSteps);
  assert.ok(clock <= 60_000, `${clock} ms`);
  const lrs = readMetrics(join(root, 'budget'))
    .filter((r) => r.type === 'step')
    .map((r) => r.lr as number);
  assert.ok(lrs.at(-1)! < 0.05 * 0.05, `last lr ${lrs.at(-1)}`);
  assert.ok(Math.abs(lrs[20]! - polyLr(0.05, 20, 116)) < 1e-12);

  // When steps become twice as slow after the plan, re-planning still ends inside the budget.
  clock = 0;
  let calls = 0;
  const slowing = setup('budget-slowing', {
    timeBudgetMinutes: 1,
    epochs: 1000,
    valEvery: 0,
    now: () => clock,
  });
  const drifting = {
    ...slowing.hooks,
    trainStep: (b: { x: Float32Array; y: Float32Array }) => {
      clock += ++calls > 20 ? 1000 : 500;
      return slowing.hooks.trainStep(b);
    },
  };
  const slowed = await runTraining(slowing.options, drifting);
  assert.ok(clock <= 61_000, `${clock} ms after ${slowed.steps} steps`);
  assert.ok(slowed.steps > 60, `${slowed.steps}`);

  // Steps slower than the budget allows for timing them: the run stops when the budget is spent.
  clock = 0;
  const crawling = setup('budget-crawling', {
    timeBudgetMinutes: 1,
    epochs: 1000,
    valEvery: 0,
    now: () => clock,
  });
  const crawl = await runTraining(crawling.options, {
    ...crawling.hooks,
    trainStep: (b: { x: Float32Array; y: Float32Array }) => {
      clock += 25_000;
      return crawling.hooks.trainStep(b);
    },
  });
  assert.equal(crawl.steps, 3);
  assert.equal(crawl.interrupted, false);
});

test('poly schedule and step timer', () => {
  assert.equal(polyLr(1, 0, 100), 1);
  assert.ok(Math.abs(polyLr(1, 50, 100) - 0.5 ** 0.9) < 1e-12);
  assert.equal(polyLr(1, 100, 100), 0);
  const timer = stepTimer(2, 3);
  for (const ms of [900, 800, 100, 120, 5000]) timer.record(ms);
  assert.ok(timer.ready);
  assert.equal(timer.msPerStep(), 120);
  assert.equal(
    planStepsForBudget({
      budgetMs: 10_000,
      elapsedMs: 0,
      stepsDone: 0,
      msPerStep: 100,
      stepsPerEpoch: 10,
      validations: 0,
    }).steps,
    97,
  );
});
