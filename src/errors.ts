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
