/**
 * An error caused by the user's input (a file, an argument), not by a bug. The CLI prints its message
 * as one line and exits non-zero; the message names the file and the problem.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** An InputError whose message starts with the offending path. */
export function fileError(path: string, problem: string): InputError {
  return new InputError(`${path}: ${problem}`);
}

// What each operating-system error means to a user, by Node's error code.
const SYSTEM_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of this path is not a folder',
  EISDIR: 'is a folder; expected a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder is not empty',
  EMFILE: 'too many open files',
  EXDEV: 'cannot move across file systems',
  ENAMETOOLONG: 'file name too long',
};

/** The user's path for one of mosmos's temporary files (`.<name>.<pid>.<time>.tmp` beside it). */
export function userPath(path: string): string {
  return path.replace(/(^|[/\\])\.([^/\\]+)\.\d+\.\d+\.tmp$/, '$1$2');
}

/**
 * A file-system error (ENOENT, ENOSPC, EISDIR, …) as one line naming the user's path and the
 * problem, or undefined for any other error.
 *
 * @example systemErrorLine(enospc) // 'out/seg.nii.gz: no space left on the device'
 */
export function systemErrorLine(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, dest } = error as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== 'string' || !(code in SYSTEM_PROBLEMS)) return undefined;
  const problem = SYSTEM_PROBLEMS[code]!;
  // For a rename, the destination is the user's output (the source is a temporary file).
  const where = dest ?? path;
  return where === undefined ? `${problem} (${code})` : `${userPath(where)}: ${problem}`;
}
