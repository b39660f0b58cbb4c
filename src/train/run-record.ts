/**
 * A run folder records what a training run decided and measured, so results can be traced and
 * repeated: `run.json` (version, arguments, seed, data fingerprint, configuration) and
 * `metrics.jsonl` (one JSON object per step or epoch).
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { version } from '../version.js';
import { warn } from '../warnings.js';
import { holdsRun, newRunId, setAsideRun } from './run-folder.js';

export interface RunInfo {
  /** mosmos version that wrote the run. */
  version: string;
  /** Random id of this run, repeated in its checkpoints, weights and model.json (absent in old runs). */
  runId?: string;
  /** The command (e.g. "pretrain"). */
  command: string;
  /** Command-line arguments as given. */
  argv: string[];
  seed: number;
  /** sha256 over the manifest bytes and each referenced file's path, size and mtime. */
  dataFingerprint: string;
  /** The resolved configuration (defaults filled in). */
  config: Record<string, unknown>;
  createdAt: string;
}

/**
 * Fingerprint of a data set: the manifest's content plus each file's path, size and modification time
 * (hashing every image's bytes would cost minutes on real data; size+mtime catches replaced files).
 */
export function dataFingerprint(manifestPath: string, files: string[]): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(manifestPath));
  for (const file of [...files].sort()) {
    const info = existsSync(file) ? statSync(file) : undefined;
    hash.update(`\n${file}\t${info?.size ?? -1}\t${info?.mtimeMs ?? -1}`);
  }
  return hash.digest('hex');
}

/**
 * Creates the run folder (or reuses it when `resume`) and writes `run.json` with a new run id. A
 * fresh run refuses a folder that already holds a run unless `force`, which moves the old run aside
 * to `<dir>.old-<time>` so the new one starts empty: a run is never silently mixed with another.
 */
export function createRunFolder(
  dir: string,
  info: Omit<RunInfo, 'version' | 'createdAt' | 'runId'>,
  options: { resume?: boolean; force?: boolean } = {},
): RunInfo {
  const runJson = join(dir, 'run.json');
  if (options.resume) {
    if (!existsSync(runJson)) throw fileError(dir, 'cannot resume: no run.json in this folder');
    return readRunInfo(dir);
  }
  if (holdsRun(dir)) {
    if (!options.force)
      throw fileError(dir, 'already holds a run (pass --resume to continue it, or --force to replace it)');
    warn(`${dir}: moved the earlier run to ${setAsideRun(dir)} (--force)`);
  }
  mkdirSync(dir, { recursive: true });
  const full: RunInfo = { version, ...info, runId: newRunId(), createdAt: new Date().toISOString() };
  writeFileAtomic(runJson, `${JSON.stringify(full, null, 2)}\n`, { force: true });
  return full;
}

/** Reads `run.json` of a run folder. */
export function readRunInfo(dir: string): RunInfo {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) throw fileError(path, 'not found (is this a mosmos run folder?)');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunInfo;
  } catch (error) {
    throw fileError(path, `not valid JSON (${(error as Error).message})`);
  }
}

/** Appends one JSON object per line to `metrics.jsonl` in the run folder. */
export function appendMetrics(dir: string, record: Record<string, unknown>): void {
  appendFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
}

/**
 * Reads all records of `metrics.jsonl` (an absent file is an empty list). A torn last line (what a
 * kill during a write leaves) is skipped with a warning; a bad line anywhere else is an error that
 * names the file and the line.
 */
export function readMetrics(dir: string): Record<string, unknown>[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const last = lines.findLastIndex((l) => l.trim() !== '');
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i <= last; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch (error) {
      if (i === last) {
        warn(`${path}: line ${i + 1} is incomplete (the run was stopped while writing it); ignored`);
        break;
      }
      throw fileError(path, `line ${i + 1} is not valid JSON (${(error as Error).message})`);
    }
  }
  return records;
}

/**
 * Keeps only the records of `metrics.jsonl` up to `step` (a resumed run repeats the steps after its
 * checkpoint, which must not be logged twice) and drops a torn last line.
 */
export function truncateMetrics(dir: string, step: number): void {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return;
  const kept = readMetrics(dir).filter((r) => !(typeof r.step === 'number' && r.step > step));
  writeFileAtomic(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''), { force: true });
}
