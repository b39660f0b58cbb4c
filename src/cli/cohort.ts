/**
 * `mosmos cohort --image <ct> --labels <map> [--label-names <json> | --scheme total] [--to btcv]
 *  --cases N --out <dir> [--seed N] [--spacing x,y,z | lo-hi] [--variation 1] [--force]`
 */

import type { AcquisitionRanges } from '../cohort/acquisition.js';
import { builtinLabelNames, mapLabelScheme, readLabelNames } from '../cohort/label-scheme.js';
import { readSourceScan } from '../cohort/source-scan.js';
import { writeCohort } from '../cohort/write-cohort.js';
import { InputError } from '../errors.js';
import { optionFlag, optionNumber, optionString, parseArgs } from './args.js';

const usage =
  'usage: mosmos cohort --image <ct | dicom-dir> --labels <label map> [--label-names names.json | --scheme total] ' +
  '[--to btcv|amos] --cases N --out <dir> [--seed N] [--spacing x,y,z | lo-hi] [--variation 1] [--force] [--quiet]';

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
  const args = parseArgs(argv, ['force', 'quiet', 'help']);
  if (optionFlag(args, 'help')) {
    console.log(usage);
    return 0;
  }
  const image = optionString(args, 'image');
  const labels = optionString(args, 'labels');
  const out = optionString(args, 'out');
  if (!image || !labels || !out)
    throw new InputError(`cohort: --image, --labels and --out are required\n${usage}`);
  const cases = optionNumber(args, 'cases', 20);
  const seed = optionNumber(args, 'seed', 0);
  if (!Number.isInteger(seed) || seed < 0)
    throw new InputError('option --seed: expected a non-negative integer');
  const scheme = optionString(args, 'scheme');
  const namesFile = optionString(args, 'label-names');
  const names = namesFile ? readLabelNames(namesFile, scheme) : builtinLabelNames(scheme ?? 'total');
  const mapping = mapLabelScheme(names, optionString(args, 'to', 'btcv')!);
  const spacing = optionString(args, 'spacing');
  const quiet = optionFlag(args, 'quiet');
  const source = await readSourceScan(image, labels, names, mapping);
  const mapped = Object.entries(mapping.sources).map(([organ, from]) => `${organ} ← ${from.join(' + ')}`);
  if (!quiet) {
    console.error(`cohort: ${image}, ${source.phase ?? 'unknown'} phase; ${mapped.length} organs mapped:`);
    for (const line of mapped) console.error(`  ${line}`);
  }
  const started = Date.now();
  const result = await writeCohort(out, source, {
    cases,
    seed,
    variation: optionNumber(args, 'variation', 1),
    ...(spacing ? { acquisition: parseSpacing(spacing) } : {}),
    force: optionFlag(args, 'force'),
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
