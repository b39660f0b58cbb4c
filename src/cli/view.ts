import { InputError } from '../errors.js';

/** `mosmos view` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "view" command is not available in this build yet');
}
