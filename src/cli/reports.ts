/** `mosmos reports generate <dataset-dir> --out pairs.jsonl [--format ...] [--vocab ...] [--seed N] [--force]`. */

import { DATASET_FORMATS, openDataset, parseDatasetFormat } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { assertWritable, writeFileAtomic } from '../files/atomic-write.js';
import { generateDatasetPairs, manifestFolder } from '../report/generate-pairs.js';
import { getVocabulary } from '../report/vocabularies.js';
import { type CommandSpec, readCommandLine, usageText } from './options.js';

export const spec = {
  name: 'reports',
  positionals: 'generate <dataset-dir>',
  arity: [2, 2],
  options: [
    {
      name: 'out',
      type: 'string',
      value: 'pairs.jsonl',
      required: true,
      help: 'the pairs manifest to write',
    },
    {
      name: 'format',
      type: 'string',
      choices: DATASET_FORMATS,
      help: 'dataset layout (detected when omitted)',
    },
    { name: 'vocab', type: 'string', value: 'name', help: "organ vocabulary (default: the format's)" },
    { name: 'seed', type: 'number', value: 'N', default: 0, help: 'seed of the phrasing' },
    { name: 'force', type: 'flag', help: 'replace an existing manifest' },
    { name: 'quiet', type: 'flag', help: 'no progress line' },
  ],
} as const satisfies CommandSpec;

export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const [sub = '', dir = ''] = line.positional;
  if (sub !== 'generate') throw new InputError(`unknown subcommand "${sub}"\n${usageText(spec)}`);
  const out = line.string('out') ?? '';
  const force = line.flag('force');
  const seed = line.number('seed') ?? 0;
  if (!Number.isInteger(seed) || seed < 0)
    throw new InputError('option --seed: expected a non-negative integer');
  const format = line.string('format');
  const vocab = line.string('vocab');
  assertWritable(out, { force });

  const dataset = openDataset(dir, format ? parseDatasetFormat(format) : undefined);
  const quiet = line.flag('quiet') || !process.stderr.isTTY;
  const { pairs, skipped } = await generateDatasetPairs(dataset, {
    seed,
    relativeTo: manifestFolder(out),
    ...(vocab ? { vocabulary: getVocabulary(vocab) } : {}),
    onCase: (done, total, id) => {
      if (!quiet) process.stderr.write(`\rreports generate: ${done}/${total} ${id}`.padEnd(60));
    },
  });
  if (!quiet) process.stderr.write('\n');
  if (pairs.length === 0) throw new InputError(`${dir}: no cases with label maps to generate reports from`);
  writeFileAtomic(out, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`, { force });
  const note = skipped.length > 0 ? ` (${skipped.length} cases without label maps skipped)` : '';
  console.log(`wrote ${pairs.length} generated reports to ${out}${note}`);
  return 0;
}
