import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
