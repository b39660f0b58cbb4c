import { InputError } from '../errors.js';

/** `mosmos segment` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "segment" command is not available in this build yet');
}
