import { InputError } from '../errors.js';

/** `mosmos info` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "info" command is not available in this build yet');
}
