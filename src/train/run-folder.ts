/**
 * The identity of a run folder. Every run gets a random id, written in `run.json`, in every
 * checkpoint and in the weights and `model.json` it leaves, so files of two runs can never be
 * combined unnoticed: resume refuses a checkpoint of another run and `segment` refuses weights that
 * are not the ones `model.json` describes. `--force` over an old run moves the old folder aside
 * (`<run>.old-<time>`) instead of deleting it: the new run starts in an empty folder and nothing a
 * user may still want is destroyed.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** Files whose presence means a folder holds (part of) a training run. */
const RUN_FILES = ['run.json', 'checkpoint.json', 'model.json', 'metrics.jsonl'];

/** A new run id (a UUID). */
export function newRunId(): string {
  return randomUUID();
}

/** True when `dir` holds a run, even one stopped before it wrote everything. */
export function holdsRun(dir: string): boolean {
  return RUN_FILES.some((name) => existsSync(join(dir, name)));
}

/** The id in `dir/run.json`, or undefined (no run.json, or a run from before ids existed). */
export function runIdOf(dir: string): string | undefined {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) return undefined;
  try {
    const id = (JSON.parse(readFileSync(path, 'utf8')) as { runId?: unknown }).runId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined; // readRunInfo reports a damaged run.json where it matters
  }
}

/** Renames `dir` to `<dir>.old-<UTC time>` (made unique) and returns the new path. */
export function setAsideRun(dir: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let target = `${dir}.old-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${dir}.old-${stamp}-${n}`;
  renameSync(dir, target);
  return target;
}
