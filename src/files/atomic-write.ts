// Atomic file writes, shared by every stage that writes files (io, engine, report, train, infer):
// a temporary file beside the target, then a rename, so an interrupted or failed write never leaves
// a half-written output. Its own folder because it is below every stage, not part of io.
import { closeSync, existsSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileError } from '../errors.js';

export interface WriteOptions {
  /** Replace an existing file; without it an existing output is an error. */
  force?: boolean;
}

/** Refuses to overwrite `path` unless `force`, with an error that names it. */
export function assertWritable(path: string, options: WriteOptions = {}): void {
  if (!options.force && existsSync(path)) {
    throw fileError(path, 'output exists (pass --force to overwrite)');
  }
}

/**
 * Writes `data` to a temporary file beside `path` and renames it into place, so a crash or a bad
 * input never leaves a half-written output behind.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: WriteOptions = {}): void {
  assertWritable(path, options);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** One output of an all-or-nothing write: its path and its bytes (in pieces, to avoid a joined copy). */
export interface PendingFile {
  path: string;
  data: string | Uint8Array | readonly Uint8Array[];
}

function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

function writeTemp(temp: string, data: PendingFile['data']): void {
  if (typeof data === 'string' || data instanceof Uint8Array) {
    writeFileSync(temp, data);
    return;
  }
  const fd = openSync(temp, 'w');
  try {
    for (const part of data)
      for (let done = 0; done < part.length; ) done += writeSync(fd, part, done, part.length - done);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes several outputs all-or-nothing: every file goes to a temporary file beside its path first;
 * only when all are written (the step that can run out of space) are they renamed into place. On a
 * failure the temporary files are removed and no output is created or replaced.
 */
export function writeFilesAtomic(files: readonly PendingFile[], options: WriteOptions = {}): void {
  for (const file of files) assertWritable(file.path, options);
  const temps: string[] = [];
  try {
    for (const file of files) {
      const temp = tempBeside(file.path);
      temps.push(temp);
      writeTemp(temp, file.data);
    }
  } catch (error) {
    for (const temp of temps) rmSync(temp, { force: true });
    throw error;
  }
  for (const [i, file] of files.entries()) renameSync(temps[i]!, file.path);
}
