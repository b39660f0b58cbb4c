// Locates the project's real public test data (../shared/data). Tests that need it call
// `sharedDataSkip()` and pass the result as `skip`, so a user's clone skips them with a reason.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDataDir = process.env.MOSMOS_SHARED_DATA ?? resolve(projectRoot, '..', 'shared', 'data');

/** Path of a file inside ../shared/data. */
export function sharedData(...parts: string[]): string {
  return join(sharedDataDir, ...parts);
}

/** `false` when the shared data exists, else the reason to skip (node:test prints it). */
export function sharedDataSkip(): string | false {
  return existsSync(sharedDataDir) ? false : `shared data not found at ${sharedDataDir}`;
}
