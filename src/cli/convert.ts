import { InputError } from '../errors.js';

/** `mosmos convert` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "convert" command is not available in this build yet');
}
