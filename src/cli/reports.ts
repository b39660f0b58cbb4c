/** `mosmos reports generate <dataset-dir> --out pairs.jsonl [--format ...] [--vocab ...] [--seed N] [--force]`. */

import { openDataset, parseDatasetFormat } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { assertWritable, writeFileAtomic } from '../io/atomic-write.js';
import { generateDatasetPairs, manifestFolder } from '../report/generate-pairs.js';
import { getVocabulary } from '../report/vocabularies.js';
import { optionFlag, optionNumber, optionString, parseArgs } from './args.js';

const usage =
  'usage: mosmos reports generate <dataset-dir> --out pairs.jsonl [--format btcv|amos|mmwhs|brats|msd] [--vocab name] [--seed N] [--force]';

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['force', 'quiet']);
  const [sub, dir, ...extra] = args.positional;
  if (sub !== 'generate' || dir === undefined || extra.length > 0) throw new InputError(usage);
  const out = optionString(args, 'out');
  if (!out) throw new InputError(`reports generate: --out is required\n${usage}`);
  const force = optionFlag(args, 'force');
  const seed = optionNumber(args, 'seed', 0);
  if (!Number.isInteger(seed) || seed < 0)
    throw new InputError('option --seed: expected a non-negative integer');
  const format = optionString(args, 'format');
  const vocab = optionString(args, 'vocab');
  assertWritable(out, { force });

  const dataset = openDataset(dir, format ? parseDatasetFormat(format) : undefined);
  const quiet = optionFlag(args, 'quiet') || !process.stderr.isTTY;
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
