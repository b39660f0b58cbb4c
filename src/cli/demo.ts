import { InputError } from '../errors.js';

/** `mosmos demo` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "demo" command is not available in this build yet');
}
