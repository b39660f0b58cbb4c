/**
 * `mosmos evaluate --pred <file|dir> --gt <file|dir> [--labels 1,2,…] [--format btcv|amos|mmwhs|brats]
 *  [--tolerance 1] [--json] [--csv out.csv] [--force]`
 *
 * Dice, HD95 (mm) and normalised surface Dice per organ, with MONAI's definitions. Folders are
 * paired by case id (see metrics/case-matching.ts: identical names, or `img0035` ↔ `label0035`);
 * `--gt` may also be a dataset folder (BTCV, AMOS, MM-WHS, BraTS, MSD), whose labelled cases are
 * matched to the predictions by case id and whose label table names the organs.
 * `--format` names the organs and applies the dataset's conventions (MM-WHS raw values are
 * remapped; BraTS is scored on its ET/TC/WT regions). Without --labels, every label present in
 * either map of a case is scored.
 *
 * Dice as MONAI's DiceMetric counts it (ignore_empty): an organ absent from a case's ground truth
 * is left out of that case's scores, and what the prediction put there is reported as a
 * false-positive volume in mL (per case, and per organ over the cases that lack it). Both files
 * of a pair must be integer label maps (an image given by mistake is refused, naming the file).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AMOS_LABELS } from '../data/amos.js';
import { BRATS_REGIONS } from '../data/brats.js';
import { BTCV_LABELS } from '../data/btcv.js';
import {
  DATASET_FORMATS,
  type Dataset,
  type DatasetFormat,
  openDataset,
  parseDatasetFormat,
  remapLabelVolume,
} from '../data/dataset.js';
import { MMWHS_LABELS, MMWHS_REMAP } from '../data/mmwhs.js';
import { fileError, InputError } from '../errors.js';
import { assertWritable, writeFileAtomic } from '../files/atomic-write.js';
import { type CasePair, caseKey, matchCaseFiles } from '../metrics/case-matching.js';
import { type EvaluateFilesOptions, evaluateCaseFiles } from '../metrics/evaluate-files.js';
import {
  type CaseEvaluation,
  type MetricStat,
  type OrganSummary,
  summarizeEvaluations,
} from '../metrics/summary.js';
import type { Volume } from '../volume/volume.js';
import { type CommandSpec, readCommandLine } from './options.js';

export const spec = {
  name: 'evaluate',
  positionals: '',
  arity: [0, 0],
  options: [
    { name: 'pred', type: 'string', value: '<file|dir>', required: true, help: 'predicted label map(s)' },
    {
      name: 'gt',
      type: 'string',
      value: '<file|dir>',
      required: true,
      help: 'ground-truth label map(s) or dataset folder',
    },
    { name: 'labels', type: 'string', value: '1,2,...', help: 'labels to score (default: all in the truth)' },
    {
      name: 'format',
      type: 'string',
      choices: DATASET_FORMATS,
      help: 'label names and conventions of this dataset format',
    },
    { name: 'tolerance', type: 'number', value: 'mm', default: 1, help: 'surface Dice tolerance' },
    { name: 'json', type: 'flag', help: 'machine-readable output' },
    { name: 'csv', type: 'string', value: 'out.csv', help: 'also write one row per case and organ' },
    { name: 'force', type: 'flag', help: 'replace an existing CSV' },
  ],
} as const satisfies CommandSpec;

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw fileError(path, 'no such file or folder');
  }
}

/** A folder without NIfTI files of its own is taken as a dataset root (BTCV, AMOS …). */
function isDatasetFolder(path: string): boolean {
  return isDir(path) && !readdirSync(path).some((name) => /\.nii(\.gz)?$/i.test(name));
}

/**
 * Pairs each prediction with the labelled case of a dataset folder (`--gt` = the dataset root) by
 * case id; cases without a prediction are skipped, since predictions usually cover one split only.
 */
function datasetPairs(predDir: string, dataset: Dataset): CasePair[] {
  const byId = new Map(dataset.cases.filter((c) => c.label).map((c) => [c.id.toLowerCase(), c.label!]));
  const pairs: CasePair[] = [];
  for (const name of readdirSync(predDir).sort()) {
    if (!/\.nii(\.gz)?$/i.test(name) || name.startsWith('.')) continue;
    const key = caseKey(name);
    const label = byId.get(key);
    if (label === undefined)
      console.error(`mosmos evaluate: ${join(predDir, name)}: no labelled case "${key}", skipped`);
    else pairs.push({ case: key, pred: join(predDir, name), gt: label });
  }
  if (pairs.length === 0)
    throw fileError(predDir, `no prediction matches a labelled case of ${dataset.root}`);
  return pairs;
}

/**
 * The prediction/ground-truth pairs named by --pred and --gt: two files, two folders of label
 * maps, or a prediction folder and a dataset folder (a folder without NIfTI files of its own).
 */
function casePairs(
  pred: string,
  gt: string,
  format: DatasetFormat | undefined,
): { pairs: CasePair[]; dataset?: Dataset } {
  const predIsDir = isDir(pred);
  const gtIsDir = isDir(gt);
  if (predIsDir !== gtIsDir) throw new InputError('--pred and --gt must both be files or both be folders');
  if (!predIsDir) return { pairs: [{ case: caseKey(basename(gt)), pred, gt }] };
  if (isDatasetFolder(gt)) {
    const dataset = openDataset(gt, format);
    return { pairs: datasetPairs(pred, dataset), dataset };
  }
  const { pairs, unmatchedPreds } = matchCaseFiles(pred, gt);
  for (const file of unmatchedPreds)
    console.error(`mosmos evaluate: ${file}: no ground truth with this case id, skipped`);
  return { pairs };
}

function parseLabels(value: string): number[] {
  const labels = value.split(',').map((s) => Number(s.trim()));
  if (labels.length === 0 || labels.some((l) => !Number.isInteger(l) || l <= 0)) {
    throw new InputError(`option --labels: expected positive integers like 1,2,3, got "${value}"`);
  }
  return labels;
}

/** Organ names and conventions of a dataset format for scoring. */
function formatOptions(format: DatasetFormat): EvaluateFilesOptions {
  switch (format) {
    case 'btcv':
      return { labelNames: BTCV_LABELS, labels: range(13) };
    case 'amos':
      return { labelNames: AMOS_LABELS, labels: range(15) };
    case 'mmwhs': {
      const raw = new Set(Object.keys(MMWHS_REMAP).map(Number));
      // Ground truth keeps the challenge's raw values; a prediction may already use 1…7.
      const transform = (v: Volume, path: string) =>
        hasAnyValue(v, raw) ? remapLabelVolume(v, MMWHS_REMAP, path) : v;
      return { labelNames: MMWHS_LABELS, labels: range(7), transform };
    }
    case 'brats':
      return { regions: Object.values(BRATS_REGIONS) };
    case 'msd':
      throw new InputError('--format msd has no fixed label table; pass --labels instead');
  }
}

/** Scoring options from an opened dataset: its label table, remap, or BraTS regions. */
function datasetOptions(dataset: Dataset): EvaluateFilesOptions {
  if (dataset.format !== 'msd') return formatOptions(dataset.format);
  const labels = Object.keys(dataset.labels)
    .map(Number)
    .filter((l) => l > 0);
  return { labelNames: dataset.labels, labels };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

function hasAnyValue(volume: Volume, values: Set<number>): boolean {
  for (let i = 0; i < volume.data.length; i++) if (values.has(volume.data[i]!)) return true;
  return false;
}

/** JSON has no NaN/Infinity: both become null (the organ's flags say which). */
const num = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(6)) : null);

/** The --json document. */
export function evaluationJson(cases: CaseEvaluation[], summary: OrganSummary[], tolerance: number): object {
  const pick = (f: (s: MetricStat) => number) =>
    Object.fromEntries(
      summary.map((o) => [o.name, { dice: num(f(o.dice)), hd95: num(f(o.hd95)), nsd: num(f(o.nsd)) }]),
    );
  return {
    tolerance,
    cases: cases.map((c) => ({
      case: c.case,
      organs: Object.fromEntries(
        c.organs.map((o) => [
          o.name,
          {
            label: o.label,
            dice: num(o.dice),
            hd95: num(o.hd95),
            nsd: num(o.nsd),
            predVoxels: o.predVoxels,
            gtVoxels: o.gtVoxels,
            ...(o.falsePositiveMl === undefined ? {} : { falsePositiveMl: num(o.falsePositiveMl) }),
            ...(o.hd95 === Number.POSITIVE_INFINITY ? { hd95Infinite: true } : {}),
          },
        ]),
      ),
    })),
    mean: pick((s) => s.mean),
    sd: pick((s) => s.sd),
    count: Object.fromEntries(summary.map((o) => [o.name, o.dice.count])),
    hd95Infinite: Object.fromEntries(
      summary.filter((o) => o.hd95.infinite > 0).map((o) => [o.name, o.hd95.infinite]),
    ),
    // Organs absent from some cases' ground truth: how often and how much was predicted there.
    falsePositive: Object.fromEntries(
      summary
        .filter((o) => o.falsePositive.absentCases > 0)
        .map((o) => {
          const fp = o.falsePositive;
          return [
            o.name,
            {
              absentCases: fp.absentCases,
              predictedCases: fp.predictedCases,
              meanMl: num(fp.meanMl),
              maxMl: num(fp.maxMl),
            },
          ];
        }),
    ),
  };
}

function cell(stat: MetricStat, digits: number): string {
  if (stat.count === 0) return stat.infinite > 0 ? `∞ (${stat.infinite})` : 'n/a';
  const text = `${stat.mean.toFixed(digits)} ± ${stat.sd.toFixed(digits)}`;
  return stat.infinite > 0 ? `${text} (+${stat.infinite} ∞)` : text;
}

/** "predicted in k of n absent cases, mean mL", or "-" when the truth always has the organ. */
function falsePositiveCell(o: OrganSummary): string {
  const fp = o.falsePositive;
  return fp.absentCases === 0 ? '-' : `${fp.predictedCases}/${fp.absentCases}, ${fp.meanMl.toFixed(2)} mL`;
}

/**
 * The plain-text table: per-organ mean ± sd over the cases whose truth has the organ, and the
 * false positives in the cases whose truth lacks it.
 */
export function evaluationTable(cases: CaseEvaluation[], summary: OrganSummary[], tolerance: number): string {
  const header = ['organ', 'Dice', 'HD95 (mm)', `NSD (${tolerance} mm)`, 'cases', 'FP where absent'];
  const rows = summary.map((o) => [
    o.name,
    cell(o.dice, 4),
    cell(o.hd95, 2),
    cell(o.nsd, 4),
    String(o.dice.count),
    falsePositiveCell(o),
  ]);
  const all = (f: (o: OrganSummary) => MetricStat, digits: number) => {
    const means = summary.map((o) => f(o).mean).filter(Number.isFinite);
    return means.length ? (means.reduce((a, b) => a + b, 0) / means.length).toFixed(digits) : 'n/a';
  };
  rows.push([
    'mean of organs',
    all((o) => o.dice, 4),
    all((o) => o.hd95, 2),
    all((o) => o.nsd, 4),
    String(cases.length),
    '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`${cases.length} case(s)`, line(header), ...rows.map(line)].join('\n');
}

/** One row per case and organ. */
export function evaluationCsv(cases: CaseEvaluation[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const value = (x: number) => (Number.isNaN(x) ? '' : x === Number.POSITIVE_INFINITY ? 'inf' : String(x));
  const lines = ['case,organ,label,dice,hd95,nsd,pred_voxels,gt_voxels,false_positive_ml'];
  for (const c of cases)
    for (const o of c.organs) {
      lines.push(
        [
          quote(c.case),
          quote(o.name),
          o.label,
          value(o.dice),
          value(o.hd95),
          value(o.nsd),
          o.predVoxels,
          o.gtVoxels,
          o.falsePositiveMl === undefined ? '' : String(o.falsePositiveMl),
        ].join(','),
      );
    }
  return `${lines.join('\n')}\n`;
}

/** `mosmos evaluate`. */
export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const pred = line.string('pred') ?? '';
  const gt = line.string('gt') ?? '';
  const tolerance = line.number('tolerance') ?? 1;
  if (tolerance < 0) throw new InputError('option --tolerance: expected a distance ≥ 0 mm');
  const formatName = line.string('format');
  const format = formatName === undefined ? undefined : parseDatasetFormat(formatName);
  const labelOption = line.string('labels');
  const labels = labelOption === undefined ? undefined : parseLabels(labelOption);
  if (format === 'msd' && labels === undefined && !isDatasetFolder(gt)) {
    throw new InputError('--format msd has no fixed label table; pass --labels, or --gt the dataset folder');
  }
  const csv = line.string('csv');
  const force = line.flag('force');
  // Refuse an existing CSV before the (possibly long) evaluation, not after it.
  if (csv !== undefined) assertWritable(csv, { force });

  const { pairs, dataset } = casePairs(pred, gt, format);
  // Label names and conventions: from the dataset folder given as --gt, else from --format.
  const options: EvaluateFilesOptions = dataset
    ? datasetOptions(dataset)
    : format && format !== 'msd'
      ? formatOptions(format)
      : {};
  if (labels !== undefined) {
    if (options.regions) {
      throw new InputError('--labels cannot be combined with BraTS evaluation (scored on ET/TC/WT regions)');
    }
    options.labels = labels;
  }
  const json = line.flag('json');
  const progress = !json && process.stderr.isTTY && pairs.length > 1;
  const cases = await evaluateCaseFiles(pairs, {
    ...options,
    tolerance,
    onCase: progress
      ? (i, n, c) => process.stderr.write(`\revaluated ${i + 1}/${n} ${c.case}\u001b[K`)
      : undefined,
  });
  if (progress) process.stderr.write('\r\u001b[K');
  const summary = summarizeEvaluations(cases);
  if (csv !== undefined) writeFileAtomic(csv, evaluationCsv(cases), { force });
  console.log(
    json
      ? JSON.stringify(evaluationJson(cases, summary, tolerance), null, 2)
      : evaluationTable(cases, summary, tolerance),
  );
  return 0;
}
