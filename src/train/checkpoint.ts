/**
 * Training checkpoints: the network's weights and the optimizer's moments in one safetensors file
 * (`model.<name>`, `optimizer.<index>.<slot>`), plus a JSON sidecar with the position in training
 * (epoch, batch, step, RNG state) and the optimizer's counters. Both are written atomically and the
 * sidecar last, naming its weights file, so an interrupted write never replaces a good checkpoint.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensors, type Optimizer, saveSafetensors, type Tensor, tensor } from '../engine/index.js';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { describeRunId } from '../infer/model-description.js';
import { loadStateDict, namedTensors } from '../nn/module.js';
import { warn } from '../warnings.js';
import { runIdOf } from './run-folder.js';
import { readRunInfo, truncateMetrics } from './run-record.js';

/** Where training stands. */
export interface TrainingPosition {
  /** Epochs fully completed. */
  epoch: number;
  /** Batches completed inside the current epoch (non-zero after a Ctrl-C mid-epoch). */
  batchInEpoch: number;
  /** Optimizer steps taken so far (the learning-rate schedule's position). */
  step: number;
  /** State of the engine's generator (weights init is done; dropout and sampling continue from it). */
  rngState: number[];
  /** Total steps the run planned (a time budget fixes it once; resume keeps it). */
  plannedSteps?: number;
}

interface Sidecar extends TrainingPosition {
  format: 'mosmos-checkpoint';
  /** The run that wrote it (run.json's runId); absent in runs from before ids existed. */
  runId?: string;
  weights: string;
  optimizer: { kind: string; lr: number; steps: number[] };
  savedAt: string;
}

const SIDECAR = 'checkpoint.json';

/** Writes `checkpoint-<step>.safetensors` and then `checkpoint.json`; removes the previous weights file. */
export async function saveCheckpoint(
  dir: string,
  model: object,
  optimizer: Optimizer,
  position: TrainingPosition,
): Promise<string> {
  const tensors: Record<string, Tensor> = {};
  for (const [name, p] of namedTensors(model)) tensors[`model.${name}`] = p;
  const state = optimizer.stateDict();
  for (const [key, t] of Object.entries(state.tensors)) tensors[`optimizer.${key}`] = t;
  const weights = `checkpoint-${position.step}.safetensors`;
  const runId = runIdOf(dir);
  await saveSafetensors(join(dir, weights), tensors, {
    force: true,
    metadata: { format: 'mosmos-checkpoint', ...(runId === undefined ? {} : { runId }) },
  });
  const previous = readSidecar(dir);
  const sidecar: Sidecar = {
    format: 'mosmos-checkpoint',
    ...(runId === undefined ? {} : { runId }),
    ...position,
    weights,
    optimizer: { kind: state.kind, lr: state.lr, steps: state.steps },
    savedAt: new Date().toISOString(),
  };
  writeFileAtomic(join(dir, SIDECAR), `${JSON.stringify(sidecar, null, 2)}\n`, { force: true });
  if (previous && previous.weights !== weights) rmSync(join(dir, previous.weights), { force: true });
  return join(dir, weights);
}

function readSidecar(dir: string): Sidecar | undefined {
  const path = join(dir, SIDECAR);
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as Sidecar;
    if (s.format !== 'mosmos-checkpoint') throw new Error('not a mosmos checkpoint');
    return s;
  } catch (error) {
    throw fileError(path, `damaged checkpoint sidecar (${(error as Error).message})`);
  }
}

// A checkpoint copied or left over from another run must not continue this one.
function assertSameRun(dir: string, id: string | undefined, file: string): void {
  const expected = runIdOf(dir);
  if (id === expected) return;
  throw fileError(
    file,
    `belongs to ${describeRunId(id)}, but ${join(dir, 'run.json')} describes ${describeRunId(expected)}: ` +
      'refusing to mix two runs (start a new run with --force, or resume the run the checkpoint came from)',
  );
}

/** Whether the run folder holds a checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, SIDECAR));
}

/**
 * Restores weights (and, when given, the optimizer) from the run folder's checkpoint; returns the
 * training position, or undefined when there is none.
 */
export async function loadCheckpoint(
  dir: string,
  model: object,
  optimizer?: Optimizer,
): Promise<TrainingPosition | undefined> {
  const sidecar = readSidecar(dir);
  if (!sidecar) return undefined;
  assertSameRun(dir, sidecar.runId, join(dir, SIDECAR));
  const file = await loadSafetensors(join(dir, sidecar.weights));
  if (file.metadata.runId !== sidecar.runId)
    throw fileError(
      join(dir, sidecar.weights),
      `written by ${describeRunId(file.metadata.runId)}, but ${join(dir, SIDECAR)} is ${describeRunId(sidecar.runId)}: refusing to mix two runs`,
    );
  const weights = new Map<string, { shape: number[]; values: Float32Array | Int32Array }>();
  const slots: Record<string, Tensor> = {};
  for (const [key, entry] of Object.entries(file.tensors)) {
    if (key.startsWith('model.')) weights.set(key.slice('model.'.length), entry);
    else if (key.startsWith('optimizer.') && optimizer)
      slots[key.slice('optimizer.'.length)] = tensor(Float32Array.from(entry.values), entry.shape);
  }
  try {
    loadStateDict(model, weights);
    if (optimizer) optimizer.loadStateDict({ ...sidecar.optimizer, tensors: slots });
  } catch (error) {
    throw fileError(join(dir, sidecar.weights), `does not fit this model (${(error as Error).message})`);
  }
  return {
    epoch: sidecar.epoch,
    batchInEpoch: sidecar.batchInEpoch,
    step: sidecar.step,
    rngState: sidecar.rngState,
    ...(sidecar.plannedSteps === undefined ? {} : { plannedSteps: sidecar.plannedSteps }),
  };
}

/** Loads only the weights of a run's checkpoint into `model` (fine-tuning, attention export). */
export async function loadWeights(dir: string, model: object): Promise<void> {
  if (!(await loadCheckpoint(dir, model))) throw fileError(dir, 'no checkpoint in this run folder');
}

/** What a resumable run's configuration must have. */
export interface ResumableConfig {
  epochs: number;
  resume: boolean;
  maxSteps: number;
}

/**
 * The configuration a `--resume` continues with: the stored one wins, so the resumed run is the same
 * run (same schedule, data order and model); only the number of epochs may grow and `maxSteps`
 * applies to this invocation. `metrics.jsonl` is cut back to the checkpoint's step, since the steps
 * after it are trained (and logged) again. A run stopped before its first checkpoint starts again
 * from step 0, with a line saying so.
 */
export function resumedConfig<T extends ResumableConfig>(runDir: string, requested: T): T {
  const stored = readRunInfo(runDir).config as unknown as T;
  const sidecar = readSidecar(runDir);
  if (sidecar) assertSameRun(runDir, sidecar.runId, join(runDir, SIDECAR));
  else
    warn(
      `${runDir}: no checkpoint yet (the run stopped before its first one); starting it again from step 0`,
    );
  truncateMetrics(runDir, sidecar?.step ?? 0);
  return {
    ...stored,
    epochs: Math.max(stored.epochs, requested.epochs),
    resume: true,
    maxSteps: requested.maxSteps,
  };
}
