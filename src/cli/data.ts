/**
 * `mosmos data check <dir> [--format btcv|amos|mmwhs|brats|msd] [--modality ct|mr] [--json]`:
 * lists the dataset, reads every volume once, prints a summary and one line per problem
 * ("file: problem"). Exits 1 when problems are found.
 */

import { checkDataset, type DatasetCheckReport } from '../data/check.js';
import { DATASET_FORMATS, filterByModality, openDataset, parseDatasetFormat } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { type CommandSpec, readCommandLine, usageText } from './options.js';

export const spec = {
  name: 'data',
  positionals: 'check <dir>',
  arity: [2, 2],
  options: [
    {
      name: 'format',
      type: 'string',
      choices: DATASET_FORMATS,
      help: 'dataset layout (detected when omitted)',
    },
    { name: 'modality', type: 'string', choices: ['ct', 'mr'], help: 'only the cases of this modality' },
    { name: 'json', type: 'flag', help: 'machine-readable report' },
  ],
} as const satisfies CommandSpec;

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
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const [subcommand = '', dir = ''] = line.positional;
  if (subcommand !== 'check')
    throw new InputError(`unknown subcommand "${subcommand}"
${usageText(spec)}`);
  const format = line.string('format');
  let dataset = openDataset(dir, format === undefined ? undefined : parseDatasetFormat(format));
  const modality = line.string('modality');
  if (modality !== undefined) dataset = filterByModality(dataset, modality);
  const json = line.flag('json');
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
