/**
 * The one check every input file passes before it is read: it exists and is a regular file. Reading
 * /dev/zero grew memory without bound and a FIFO hung forever; a folder gave a bare EISDIR.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileError } from '../errors.js';

/** Throws an InputError naming `path` unless it is an existing regular file (symlinks followed). */
export function assertRegularFile(path: string, expected = 'a file'): void {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fileError(path, 'no such file');
    if (code === 'ENOTDIR') throw fileError(path, 'a part of this path is not a folder');
    if (code === 'EACCES') throw fileError(path, 'permission denied');
    throw fileError(path, `cannot read (${code ?? (error as Error).message})`);
  }
  if (info.isDirectory()) throw fileError(path, `is a folder; expected ${expected}`);
  if (!info.isFile())
    throw fileError(path, `is not a regular file (a device, FIFO or socket); expected ${expected}`);
}

/** The bytes of an input file, after assertRegularFile. */
export async function readInputFile(path: string, expected?: string): Promise<Buffer> {
  assertRegularFile(path, expected);
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(
      path,
      `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
