import { InputError } from '../errors.js';

/** `mosmos tags` — being built; see the open issues. */
export async function run(_argv: string[]): Promise<number> {
  throw new InputError('the "tags" command is not available in this build yet');
}
