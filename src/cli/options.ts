/**
 * Command-line options declared once. Each command exports a `CommandSpec`; its parsing, defaults,
 * unknown-option errors, `--help` text and the README's command reference (src/cli/reference.ts) all
 * come from that one declaration, so an option cannot be parsed without being documented.
 * @example
 * const spec = { name: 'info', positionals: '<volume>', arity: [1, 1],
 *   options: [{ name: 'json', type: 'flag', help: 'machine-readable output' }] } as const satisfies CommandSpec;
 * const line = readCommandLine(spec, argv); if (!line) return 0; // --help was printed
 * line.flag('json');
 */
import { InputError } from '../errors.js';

/** One option: `--name` (flag) or `--name VALUE`. */
export interface OptionSpec {
  /** Without the leading dashes. */
  readonly name: string;
  readonly type: 'flag' | 'string' | 'number';
  /** Placeholder in usage text (`--lr X`); defaults to the choices joined by `|`, else `VALUE`. */
  readonly value?: string;
  /** Shown in usage and returned when the option is absent. */
  readonly default?: string | number;
  readonly choices?: readonly string[];
  readonly required?: boolean;
  readonly help: string;
}

export interface CommandSpec {
  /** As typed after `mosmos` (`finetune`, `data check`). */
  readonly name: string;
  /** Positional arguments as shown in usage (`<volume | dicom-dir> <out.nii.gz>`). */
  readonly positionals: string;
  /** Minimum and maximum number of positional arguments (subcommand words included). */
  readonly arity: readonly [number, number];
  readonly options: readonly OptionSpec[];
}

type OptionName<S extends CommandSpec> = S['options'][number]['name'];

/** The parsed command line of one command; every accessor takes only declared option names. */
export interface CommandLine<N extends string> {
  positional: string[];
  has(name: N): boolean;
  /** The option's value, else its declared default. */
  string(name: N): string | undefined;
  number(name: N): number | undefined;
  flag(name: N): boolean;
  /**
   * A comma-separated list of positive numbers (`--patch 64,64`), with `count` entries when given;
   * `signed` admits zero and negative entries (`--window -175,250`).
   */
  numbers(name: N, count?: number, signed?: boolean): number[] | undefined;
}

function placeholder(option: OptionSpec): string {
  return option.value ?? option.choices?.join('|') ?? 'VALUE';
}

/** `--name VALUE` or `--name`, as it appears in usage lines. */
export function optionSynopsis(option: OptionSpec): string {
  return option.type === 'flag' ? `--${option.name}` : `--${option.name} ${placeholder(option)}`;
}

/** One-line synopsis: `mosmos info <volume> [--json] [--series UID]` (required options unbracketed). */
export function commandSynopsis(spec: CommandSpec): string {
  const options = spec.options.map((o) => (o.required ? optionSynopsis(o) : `[${optionSynopsis(o)}]`));
  return ['mosmos', spec.name, spec.positionals, ...options].filter((part) => part !== '').join(' ');
}

/** The `--help` text: synopsis, then one line per option with its default. */
export function usageText(spec: CommandSpec): string {
  const rows = spec.options.map((o) => {
    const fallback = o.default === undefined ? '' : ` (default ${o.default})`;
    return [optionSynopsis(o), `${o.help}${o.required ? ' (required)' : ''}${fallback}`] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  const head = `usage: mosmos ${spec.name} ${spec.positionals}${spec.options.length > 0 ? ' [options]' : ''}`;
  return [head, '', ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)].join('\n');
}

function parseNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new InputError(`option --${name}: expected a number, got "${text}"`);
  return value;
}

/** Splits argv by `spec`; unknown options, missing values, bad numbers and choices are errors. */
export function parseCommandLine<const S extends CommandSpec>(
  spec: S,
  argv: readonly string[],
): CommandLine<OptionName<S>> & { help: boolean } {
  const declared = new Map(spec.options.map((o) => [o.name, o]));
  const positional: string[] = [];
  const values = new Map<string, string | true>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const option = declared.get(name);
    if (!option) throw new InputError(`unknown option --${name}\n${usageText(spec)}`);
    if (option.type === 'flag') {
      if (eq >= 0) throw new InputError(`option --${name} takes no value`);
      values.set(name, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new InputError(`option --${name} needs a value (${placeholder(option)})`);
    if (eq < 0) i++;
    if (option.choices && !option.choices.includes(value))
      throw new InputError(`option --${name}: expected one of ${option.choices.join(', ')}, got "${value}"`);
    if (option.type === 'number') parseNumber(name, value);
    values.set(name, value);
  }
  if (!help) {
    const [min, max] = spec.arity;
    if (positional.length < min || positional.length > max)
      throw new InputError(`expected ${spec.positionals || 'no arguments'}\n${usageText(spec)}`);
    for (const option of spec.options)
      if (option.required && !values.has(option.name))
        throw new InputError(`option --${option.name} is required\n${usageText(spec)}`);
  }
  const raw = (name: string): string | undefined => {
    const value = values.get(name);
    if (value !== undefined) return value === true ? undefined : value;
    const fallback = declared.get(name)?.default;
    return fallback === undefined ? undefined : String(fallback);
  };
  return {
    help,
    positional,
    has: (name) => values.has(name),
    string: (name) => raw(name),
    number: (name) => {
      const text = raw(name);
      return text === undefined ? undefined : parseNumber(name, text);
    },
    flag: (name) => values.get(name) === true,
    numbers: (name, count, signed = false) => {
      const text = raw(name);
      if (text === undefined) return undefined;
      const parts = text.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
      const bad = (p: number) => !Number.isFinite(p) || (!signed && p <= 0);
      if ((count !== undefined && parts.length !== count) || parts.some(bad))
        throw new InputError(
          `option --${name}: expected ${count ?? 'a list of'} comma-separated ${signed ? '' : 'positive '}numbers, got "${text}"`,
        );
      return parts;
    },
  };
}

/**
 * Parses argv for a command; prints the usage text and returns undefined when `--help` was given,
 * so a command reads `const line = readCommandLine(spec, argv); if (!line) return 0;`.
 */
export function readCommandLine<const S extends CommandSpec>(
  spec: S,
  argv: readonly string[],
): CommandLine<OptionName<S>> | undefined {
  const line = parseCommandLine(spec, argv);
  if (!line.help) return line;
  console.log(usageText(spec));
  return undefined;
}
