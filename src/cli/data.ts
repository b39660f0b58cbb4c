import { InputError } from '../errors.js';

/** `mosmos data` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "data" command is not available in this build yet');
}
