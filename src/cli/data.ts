/**
 * `mosmos data check <dir> [--format btcv|amos|mmwhs|brats|msd] [--modality ct|mr] [--json]`:
 * lists the dataset, reads every volume once, prints a summary and one line per problem
 * ("file: problem"). Exits 1 when problems are found.
 */

import { checkDataset, type DatasetCheckReport } from '../data/check.js';
import { filterByModality, openDataset, parseDatasetFormat } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { optionFlag, optionString, parseArgs } from './args.js';

const USAGE =
  'usage: mosmos data check <dir> [--format btcv|amos|mmwhs|brats|msd] [--modality ct|mr] [--json]';

function formatRange(range: { min: number[]; median: number[]; max: number[] } | null, unit: string): string {
  if (range === null) return 'n/a';
  const f = (v: number[]) => v.map((x) => Number(x.toPrecision(4))).join('×');
  return `min ${f(range.min)}  median ${f(range.median)}  max ${f(range.max)}${unit}`;
}

/** The human-readable summary printed without --json. */
export function formatCheckReport(report: DatasetCheckReport): string {
  const s = report.summary;
  const splits = Object.entries(s.splits)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const lines = [
    `${report.format} dataset at ${report.root}`,
    `cases:      ${s.cases} (${splits}); ${s.labelled} labelled`,
    `modalities: ${s.modalities.join(', ')}`,
    `spacing:    ${formatRange(s.spacing, ' mm')}`,
    `size:       ${formatRange(s.size, ' voxels')}`,
    'label voxels (cases present):',
  ];
  const width = Math.max(0, ...Object.keys(s.labelVoxels).map((k) => k.length));
  for (const [name, count] of Object.entries(s.labelVoxels)) {
    lines.push(`  ${name.padEnd(width)}  ${String(count).padStart(12)}  (${s.labelCases[name] ?? 0})`);
  }
  lines.push(
    report.problems.length === 0 ? 'no problems found' : `${report.problems.length} problem(s):`,
    ...report.problems.map((p) => `  ${p.file}: ${p.problem}`),
  );
  return lines.join('\n');
}

/** `mosmos data <subcommand>`. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'help']);
  const [subcommand, dir, ...extra] = args.positional;
  if (optionFlag(args, 'help')) {
    console.log(USAGE);
    return 0;
  }
  if (subcommand !== 'check')
    throw new InputError(subcommand ? `unknown subcommand "${subcommand}"\n${USAGE}` : USAGE);
  if (dir === undefined || extra.length > 0) throw new InputError(USAGE);
  for (const name of args.options.keys()) {
    if (!['format', 'modality', 'json'].includes(name))
      throw new InputError(`unknown option --${name}\n${USAGE}`);
  }
  const format = optionString(args, 'format');
  let dataset = openDataset(dir, format === undefined ? undefined : parseDatasetFormat(format));
  const modality = optionString(args, 'modality');
  if (modality !== undefined) dataset = filterByModality(dataset, modality);
  const json = optionFlag(args, 'json');
  const progress = !json && process.stderr.isTTY;
  const report = await checkDataset(dataset, {
    onCase: progress
      ? (i, n, id) => process.stderr.write(`\rchecking ${i + 1}/${n} ${id}\u001b[K`)
      : undefined,
  });
  if (progress) process.stderr.write('\r\u001b[K');
  console.log(json ? JSON.stringify(report, null, 2) : formatCheckReport(report));
  return report.problems.length > 0 ? 1 : 0;
}
