/**
 * `mosmos cohort --image <ct>[,<scan>…] --labels <map>[,<map>…] [--modality ct[,mr…]]
 *  [--label-names <json> | --scheme total[,total_mr…]] [--to btcv] --cases N --out <dir> [--seed N]
 *  [--spacing x,y,z | lo-hi] [--variation 1] [--force]`
 *
 * Several sources: see labelled-scans.ts.
 */

import type { AcquisitionRanges } from '../cohort/acquisition.js';
import { mapLabelScheme } from '../cohort/label-scheme.js';
import { readSourceScan } from '../cohort/source-scan.js';
import { writeCohort } from '../cohort/write-cohort.js';
import { InputError } from '../errors.js';
import { labelledScans } from './labelled-scans.js';
import { type CommandSpec, readCommandLine } from './options.js';

export const spec = {
  name: 'cohort',
  positionals: '',
  arity: [0, 0],
  options: [
    {
      name: 'image',
      type: 'string',
      value: '<ct | dicom-dir>[,…]',
      required: true,
      help: 'the labelled real scan(s) to grow the cohort from, comma-separated',
    },
    {
      name: 'labels',
      type: 'string',
      value: '<label map>[,…]',
      required: true,
      help: "their label maps, each on its image's grid",
    },
    {
      name: 'modality',
      type: 'string',
      value: 'ct|mr[,…]',
      default: 'ct',
      help: 'what each scan is: an MR becomes a pseudo-CT (bright-fat sequences only)',
    },
    {
      name: 'label-names',
      type: 'string',
      value: 'names.json[,…]',
      help: 'label id → name (a TotalSegmentator-style label_maps.json or a flat map)',
    },
    {
      name: 'scheme',
      type: 'string',
      value: 'total[,…]',
      help: "the label scheme's name (built in: total; total_mr etc. from a label_maps.json)",
    },
    {
      name: 'to',
      type: 'string',
      choices: ['btcv', 'amos'],
      default: 'btcv',
      help: 'the organ set to map the labels onto, by name',
    },
    { name: 'cases', type: 'number', value: 'N', default: 20, help: 'number of cases to grow' },
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      required: true,
      help: 'dataset folder to write (BTCV layout, pairs.jsonl, cohort.json)',
    },
    { name: 'seed', type: 'number', value: 'N', default: 0, help: 'seed of the variation' },
    {
      name: 'spacing',
      type: 'string',
      value: 'x,y,z | lo-hi',
      help: 'fixed voxel size, or a range of in-plane sizes in mm',
    },
    { name: 'variation', type: 'number', value: 'X', default: 1, help: 'scale of the anatomical variation' },
    { name: 'force', type: 'flag', help: 'replace an existing folder' },
    { name: 'quiet', type: 'flag', help: 'no progress lines' },
  ],
} as const satisfies CommandSpec;

/** `--spacing 1.5,1.5,3` fixes the voxel size; `--spacing 1.5-3` draws the in-plane size from a range. */
export function parseSpacing(text: string): Partial<AcquisitionRanges> {
  const fixed = text.split(',').map(Number);
  if (fixed.length === 3 && fixed.every((v) => v > 0)) {
    if (fixed[0] !== fixed[1])
      throw new InputError('option --spacing: in-plane voxels must be square (x = y)');
    return { inPlaneMm: [fixed[0]!, fixed[0]!], sliceMm: [fixed[2]!] };
  }
  const range = /^([\d.]+)-([\d.]+)$/.exec(text);
  if (range && Number(range[1]) > 0 && Number(range[2]) >= Number(range[1]))
    return { inPlaneMm: [Number(range[1]), Number(range[2])] };
  throw new InputError(`option --spacing: expected x,y,z or lo-hi in mm, got "${text}"`);
}

export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const out = line.string('out') ?? '';
  const cases = line.number('cases') ?? 20;
  const seed = line.number('seed') ?? 0;
  if (!Number.isInteger(seed) || seed < 0)
    throw new InputError('option --seed: expected a non-negative integer');
  const scans = labelledScans(
    {
      images: line.string('image') ?? '',
      labels: line.string('labels') ?? '',
      names: line.string('label-names'),
      scheme: line.string('scheme'),
      modality: line.string('modality'),
    },
    { labels: 'labels', names: 'label-names', scheme: 'scheme', modality: 'modality' },
    'images',
    'total',
  );
  const spacing = line.string('spacing');
  const quiet = line.flag('quiet');
  const sources = [];
  for (const { image, labels, names, modality } of scans) {
    const mapping = mapLabelScheme(names, line.string('to') ?? 'btcv');
    const source = await readSourceScan(image, labels, names, mapping, modality);
    sources.push(source);
    const mapped = Object.entries(mapping.sources).map(([organ, from]) => `${organ} ← ${from.join(' + ')}`);
    if (!quiet) {
      const kind = source.modality === 'mr' ? 'MR as pseudo-CT' : 'CT';
      console.error(
        `cohort: ${image} (${kind}), ${source.phase ?? 'unknown'} phase; ${mapped.length} organs mapped:`,
      );
      for (const line of mapped) console.error(`  ${line}`);
    }
  }
  const started = Date.now();
  const result = await writeCohort(out, sources, {
    cases,
    seed,
    variation: line.number('variation') ?? 1,
    ...(spacing ? { acquisition: parseSpacing(spacing) } : {}),
    force: line.flag('force'),
    onCase: (done, total) => {
      if (quiet) return;
      const seconds = (Date.now() - started) / 1000;
      const eta = (seconds / done) * (total - done);
      const line = `cohort: ${done}/${total} cases, ${seconds.toFixed(0)} s, ~${eta.toFixed(0)} s left`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(60)}`);
      else if (done === total || done % 10 === 0) console.error(line);
    },
  });
  if (!quiet && process.stderr.isTTY) process.stderr.write('\n');
  console.log(`wrote ${result.cases} cases to ${result.root} (BTCV layout, pairs.jsonl, cohort.json)`);
  return 0;
}
