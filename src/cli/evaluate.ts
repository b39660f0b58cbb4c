import { InputError } from '../errors.js';

/** `mosmos evaluate` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "evaluate" command is not available in this build yet');
}
