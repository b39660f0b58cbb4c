/**
 * The one training loop (nnU-Net's `run_training` shape): it owns epochs, steps per epoch, the time
 * budget, the learning-rate schedule, validation cadence, checkpoints (every epoch, on Ctrl-C, on a
 * failure, at --max-steps), exact resume, progress and `metrics.jsonl`. A stage (pre-training,
 * fine-tuning) supplies only hooks: how to load the batch of step s, one training step, validation and
 * what to do at the end of an epoch.
 *
 * The step counter is the truth: epoch = ⌊step / stepsPerEpoch⌋, so a run cut anywhere resumes at the
 * same batch with the same schedule position, optimizer moments and RNG state.
 *
 * @example
 * await runTraining({ runDir, model, optimizer, epochs: 20, stepsPerEpoch: 50, schedule: (s, t) => polyLr(3e-3, s, t) },
 *   { loadBatch: (s) => sampler.batch(s), trainStep: (b) => ({ loss: step(b) }) });
 */

import { mkdirSync } from 'node:fs';
import { prefetch } from '../data/prefetch.js';
import type { Optimizer } from '../engine/index.js';
import { getRng } from '../engine/index.js';
import { loadCheckpoint, saveCheckpoint, type TrainingPosition } from './checkpoint.js';
import { createProgress, type ProgressStream } from './progress.js';
import { appendMetrics } from './run-record.js';
import { installStopSignal, type StopSignal } from './stop-signal.js';
import { BUDGET_REPLAN_EVERY, planStepsForBudget, type StepTimer, stepTimer } from './time-budget.js';

/** Figures of one training step; `loss` is required, the rest are logged and averaged per epoch. */
export type StepFigures = { loss: number } & Record<string, number>;

export interface TrainingHooks<Batch> {
  /**
   * Starts loading the batch of global step `step` (called up to `readAhead` steps early), in a run
   * planned for `plannedSteps` steps at that moment (the time budget may still re-plan it).
   */
  loadBatch(step: number, plannedSteps: number): Promise<Batch>;
  /** One optimizer step on `batch` (the loop has already set the learning rate). */
  trainStep(batch: Batch, step: number): StepFigures;
  /** Validation after an epoch; its record is merged into that epoch's metrics line (may set `type`). */
  validate?(epoch: number): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** After each completed epoch (and its validation), e.g. saving weights or choosing the best. */
  onEpochEnd?(info: EpochEnd): Promise<void> | void;
  /** After every checkpoint (epoch end, stop, failure): e.g. writing `last.safetensors`. */
  onCheckpoint?(position: TrainingPosition): Promise<void> | void;
  /** Extra figures of each step's metrics line (e.g. the contrastive temperature). */
  stepExtras?(): Record<string, number>;
}

export interface EpochEnd {
  /** 1-based epoch just completed. */
  epoch: number;
  step: number;
  /** Mean of each step figure over the epoch's steps run in this invocation. */
  means: Record<string, number>;
  validation: Record<string, unknown> | null;
}

export interface TrainingLoopOptions {
  runDir: string;
  /** The object whose tensors are checkpointed (network or model) and its optimizer. */
  model: object;
  optimizer: Optimizer;
  epochs: number;
  stepsPerEpoch: number;
  /** Learning rate at `step` of `totalSteps` (re-planned totals keep the schedule spanning the run). */
  schedule: (step: number, totalSteps: number) => number;
  /** Validate after every N-th epoch and after the last (0 = never). */
  valEvery: number;
  /** Wall-clock budget of the whole run in minutes: plans the number of steps after a few are timed. */
  timeBudgetMinutes?: number;
  /** Stop after this many steps in this invocation (0 = no limit); the run stays resumable. */
  maxSteps?: number;
  resume: boolean;
  /** How many batches are loaded ahead of the step (worker threads make this overlap). */
  readAhead?: number;
  log: (line: string) => void;
  progressStream?: ProgressStream;
  /** A stop signal (tests); default SIGINT/SIGTERM. */
  stop?: StopSignal;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

export interface TrainingOutcome {
  /** Steps taken in this invocation. */
  steps: number;
  /** Total steps the run is planned for (after the time budget's plan). */
  plannedSteps: number;
  /** True when stopped (Ctrl-C, --max-steps) before the planned end; resume with --resume. */
  interrupted: boolean;
  /** Mean loss of each epoch completed in this invocation. */
  epochLosses: number[];
  /** Milliseconds per step as timed for the budget (null without a budget). */
  msPerStep: number | null;
  position: TrainingPosition;
}

/** Runs (or resumes) training to its planned number of steps; see the file comment. */
export async function runTraining<Batch>(
  options: TrainingLoopOptions,
  hooks: TrainingHooks<Batch>,
): Promise<TrainingOutcome> {
  const { runDir, model, optimizer, stepsPerEpoch, log } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  mkdirSync(runDir, { recursive: true });
  let plannedSteps = options.epochs * stepsPerEpoch;
  let position: TrainingPosition = { epoch: 0, batchInEpoch: 0, step: 0, rngState: getRng().getState() };
  let budgetPlanned = false;
  /** Where the time budget last planned (null: no budget, or a resumed run that keeps its plan). */
  let replanFrom: { time: number; step: number } | null = null;
  if (options.resume) {
    const restored = await loadCheckpoint(runDir, model, optimizer);
    if (restored) {
      position = restored;
      getRng().setState(position.rngState);
      // A time-budgeted run keeps the step count it planned, so its schedule is unchanged.
      if (restored.plannedSteps !== undefined) {
        plannedSteps = Math.max(restored.plannedSteps, plannedSteps);
        budgetPlanned = options.timeBudgetMinutes !== undefined;
      }
      log(`resuming at epoch ${position.epoch + 1}, batch ${position.batchInEpoch}, step ${position.step}`);
    }
  }
  const timer: StepTimer | null =
    options.timeBudgetMinutes !== undefined && !budgetPlanned ? stepTimer() : null;
  const stop = options.stop ?? installStopSignal(log);
  const outcome: TrainingOutcome = {
    steps: 0,
    plannedSteps,
    interrupted: false,
    epochLosses: [],
    msPerStep: null,
    position,
  };
  const checkpoint = async () => {
    await saveCheckpoint(runDir, model, optimizer, { ...position, plannedSteps });
    await hooks.onCheckpoint?.(position);
  };
  const halted = () =>
    stop.requested || ((options.maxSteps ?? 0) > 0 && outcome.steps >= (options.maxSteps ?? 0));
  const loads = function* () {
    for (let s = position.step; s < plannedSteps; s++) yield () => hooks.loadBatch(s, plannedSteps);
  };
  const batches = prefetch(loads(), options.readAhead ?? 2)[Symbol.asyncIterator]();
  let lastSaved = position.step;
  let sums: Record<string, number> = {};
  let count = 0;
  let progress = epochProgress(options, position.epoch, plannedSteps);

  try {
    while (position.step < plannedSteps) {
      const next = await batches.next();
      if (next.done) break;
      const step = position.step;
      const lr = options.schedule(step, plannedSteps);
      optimizer.lr = lr;
      const stepStart = now();
      const figures = hooks.trainStep(next.value, step);
      timer?.record(now() - stepStart);
      const epoch = Math.floor(step / stepsPerEpoch);
      position = {
        epoch,
        batchInEpoch: step + 1 - epoch * stepsPerEpoch,
        step: step + 1,
        rngState: getRng().getState(),
      };
      outcome.steps++;
      for (const [k, v] of Object.entries(figures)) sums[k] = (sums[k] ?? 0) + v;
      count++;
      appendMetrics(runDir, {
        type: 'step',
        epoch: epoch + 1,
        step: position.step,
        lr,
        ...hooks.stepExtras?.(),
        ...figures,
      });
      progress.update(position.batchInEpoch, { loss: figures.loss, lr });

      const budgetMs = (options.timeBudgetMinutes ?? 0) * 60_000;
      if (timer && !budgetPlanned && !timer.ready && now() - started >= budgetMs) {
        // Steps so slow that the budget ran out while they were being timed: stop here.
        budgetPlanned = true;
        plannedSteps = position.step;
        log(`time budget ${options.timeBudgetMinutes} min spent while timing the first steps`);
      } else if (timer?.ready && !budgetPlanned) {
        budgetPlanned = true;
        outcome.msPerStep = timer.msPerStep();
        const planned = planStepsForBudget({
          budgetMs: options.timeBudgetMinutes! * 60_000,
          elapsedMs: now() - started,
          stepsDone: position.step,
          msPerStep: outcome.msPerStep,
          stepsPerEpoch,
          validations: options.valEvery > 0 ? 1 : 0,
        });
        plannedSteps = planned.steps;
        log(
          `time budget ${options.timeBudgetMinutes} min: ${outcome.msPerStep.toFixed(0)} ms/step → ${plannedSteps} steps (${Math.ceil(plannedSteps / stepsPerEpoch)} epochs of ${stepsPerEpoch})`,
        );
        progress = epochProgress(options, epoch, plannedSteps);
        replanFrom = { time: now(), step: position.step };
      } else if (replanFrom && position.step - replanFrom.step >= BUDGET_REPLAN_EVERY) {
        // On a shared machine the step time drifts: re-plan from the time per step since the last
        // plan (loading and validation included), so the run still ends inside the budget. The poly
        // schedule follows the new total; it changes by a few steps at a time.
        const msPerStep = (now() - replanFrom.time) / (position.step - replanFrom.step);
        const elapsedMs = now() - started;
        const replanned = planStepsForBudget({
          budgetMs: options.timeBudgetMinutes! * 60_000,
          elapsedMs,
          stepsDone: position.step,
          msPerStep,
          stepsPerEpoch,
          validations: options.valEvery > 0 ? 1 : 0,
          margin: 1,
        }).steps;
        plannedSteps = elapsedMs >= options.timeBudgetMinutes! * 60_000 ? position.step : replanned;
        outcome.msPerStep = msPerStep;
        replanFrom = { time: now(), step: position.step };
      }

      const epochDone = position.step % stepsPerEpoch === 0 || position.step >= plannedSteps;
      if (epochDone) {
        const epochEndStarted = now();
        const epochNumber = epoch + 1;
        position = { ...position, epoch: epochNumber, batchInEpoch: 0 };
        const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
        progress.finish(count > 0 ? { loss: means.loss! } : undefined);
        if (count > 0) outcome.epochLosses.push(means.loss!);
        const lastEpoch = position.step >= plannedSteps;
        const validating =
          hooks.validate !== undefined &&
          options.valEvery > 0 &&
          (epochNumber % options.valEvery === 0 || lastEpoch);
        const validation = validating ? await hooks.validate!(epochNumber) : null;
        appendMetrics(runDir, {
          type: 'epoch',
          epoch: epochNumber,
          step: position.step,
          trainLoss: count > 0 ? means.loss : null,
          ...Object.fromEntries(
            Object.entries(means)
              .filter(([k]) => k !== 'loss')
              .map(([k, v]) => [`train${k[0]!.toUpperCase()}${k.slice(1)}`, v]),
          ),
          ...validation,
        });
        await hooks.onEpochEnd?.({ epoch: epochNumber, step: position.step, means, validation });
        await checkpoint();
        lastSaved = position.step;
        // Validation and epoch-end work (self-training's pseudo-labels) are not step time: the next
        // re-plan measures steps only (their time still counts against the budget as elapsed time).
        if (replanFrom) replanFrom = { ...replanFrom, time: replanFrom.time + (now() - epochEndStarted) };
        sums = {};
        count = 0;
        if (!lastEpoch) progress = epochProgress(options, epochNumber, plannedSteps);
      }
      if (position.step < plannedSteps && halted()) {
        if (!epochDone) progress.finish();
        if (position.step > lastSaved) await checkpoint();
        lastSaved = position.step;
        outcome.interrupted = true;
        log(
          `stopped at epoch ${position.epoch + 1}, batch ${position.batchInEpoch}; checkpoint written (continue with --resume)`,
        );
        break;
      }
    }
  } catch (error) {
    // A failure mid-epoch (an unreadable image, a worker that died) keeps the steps already taken.
    if (position.step > lastSaved) {
      await checkpoint();
      log(
        `checkpoint written at epoch ${position.epoch + 1}, batch ${position.batchInEpoch} before stopping`,
      );
    }
    throw error;
  } finally {
    await batches.return?.(undefined);
    if (!options.stop) stop.dispose();
  }
  outcome.plannedSteps = plannedSteps;
  outcome.position = position;
  return outcome;
}

function epochProgress(options: TrainingLoopOptions, epoch: number, plannedSteps: number) {
  const epochs = Math.ceil(plannedSteps / options.stepsPerEpoch);
  const total = Math.min(options.stepsPerEpoch, plannedSteps - epoch * options.stepsPerEpoch);
  const progress = createProgress({
    total: Math.max(1, total),
    label: `epoch ${epoch + 1}/${epochs}`,
    stream: options.progressStream,
  });
  return progress;
}
