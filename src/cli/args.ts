import { InputError } from '../errors.js';

/** Parsed command line: positional arguments and `--name value` / `--flag` options. */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/**
 * Splits argv into positionals and options. `booleanFlags` lists options that take no value;
 * every other `--name` consumes the next argument (or the part after `=`).
 */
export function parseArgs(argv: string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (eq >= 0) options.set(name, arg.slice(eq + 1));
    else if (booleanFlags.includes(name)) options.set(name, true);
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new InputError(`option --${name} needs a value`);
      options.set(name, value);
      i++;
    }
  }
  return { positional, options };
}

/** The string value of an option, or `fallback`. */
export function optionString(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const value = args.options.get(name);
  if (value === true) throw new InputError(`option --${name} needs a value`);
  return value ?? fallback;
}

/** The numeric value of an option, or `fallback`; a non-number is an error naming the option. */
export function optionNumber(args: ParsedArgs, name: string, fallback: number): number {
  const value = optionString(args, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InputError(`option --${name}: expected a number, got "${value}"`);
  return parsed;
}

export function optionFlag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}
