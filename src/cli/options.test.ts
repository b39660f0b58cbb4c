import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { type CommandSpec, commandSynopsis, parseCommandLine, usageText } from './options.js';

const spec = {
  name: 'demo-cmd',
  positionals: '<in>',
  arity: [1, 1],
  options: [
    { name: 'out', type: 'string', required: true, value: 'path', help: 'where to write' },
    { name: 'lr', type: 'number', value: 'X', default: 0.003, help: 'learning rate' },
    { name: 'arch', type: 'string', choices: ['a', 'b'], default: 'a', help: 'network' },
    { name: 'patch', type: 'string', value: 'x,y', help: 'patch' },
    { name: 'force', type: 'flag', help: 'replace' },
  ],
} as const satisfies CommandSpec;

test('declared options parse with defaults, = syntax and flags', () => {
  const line = parseCommandLine(spec, ['in.nii', '--out', 'o', '--arch=b', '--force', '--patch', '64,32']);
  assert.deepEqual(line.positional, ['in.nii']);
  assert.equal(line.string('out'), 'o');
  assert.equal(line.number('lr'), 0.003);
  assert.equal(line.string('arch'), 'b');
  assert.equal(line.flag('force'), true);
  assert.deepEqual(line.numbers('patch', 2), [64, 32]);
  assert.equal(line.has('lr'), false);
});

test('undeclared options, bad choices, bad numbers, missing values and required options are errors', () => {
  const bad: string[][] = [
    ['in', '--out', 'o', '--weight-decay', '1'],
    ['in', '--out', 'o', '--arch', 'c'],
    ['in', '--out', 'o', '--lr', 'fast'],
    ['in', '--out'],
    ['in'],
    ['in', 'extra', '--out', 'o'],
    ['in', '--out', 'o', '--force=yes'],
  ];
  for (const argv of bad) assert.throws(() => parseCommandLine(spec, argv), InputError, argv.join(' '));
  assert.throws(
    () => parseCommandLine(spec, ['in', '--out', 'o', '--patch', '64']).numbers('patch', 2),
    InputError,
  );
});

test('--help needs no required option; usage and synopsis list every option once', () => {
  assert.equal(parseCommandLine(spec, ['--help']).help, true);
  const usage = usageText(spec);
  for (const option of spec.options) assert.equal(usage.split(`--${option.name}`).length, 2, option.name);
  assert.match(usage, /learning rate \(default 0\.003\)/);
  assert.equal(
    commandSynopsis(spec),
    'mosmos demo-cmd <in> --out path [--lr X] [--arch a|b] [--patch x,y] [--force]',
  );
});

test('signed number lists admit negative entries; plain ones do not', () => {
  const line = parseCommandLine(spec, ['in', '--out', 'o', '--patch=-175,250']);
  assert.deepEqual(line.numbers('patch', 2, true), [-175, 250]);
  assert.throws(() => line.numbers('patch', 2), /positive numbers/);
  assert.throws(() =>
    parseCommandLine(spec, ['in', '--out', 'o', '--patch', '1,,2']).numbers('patch', 3, true),
  );
});
