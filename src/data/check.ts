/**
 * `mosmos data check`: validates a dataset folder before anyone trains on it. Besides the layout
 * problems found while listing (missing or extra files), it reads every volume once and reports
 * unreadable files, image/label grids that differ (dims or affine), label values outside the
 * dataset's table, and non-finite image voxels; and it summarises spacings, sizes and the voxel
 * count of every class.
 */
import { InputError } from '../errors.js';
import { readNifti } from '../io/nifti/index.js';
import type { Volume } from '../volume/volume.js';
import type { Dataset, DatasetProblem } from './dataset.js';

export interface AxisRange {
  min: number[];
  median: number[];
  max: number[];
}

export interface DatasetSummary {
  cases: number;
  labelled: number;
  splits: Record<string, number>;
  modalities: string[];
  /** Voxel spacing (mm) per axis over the cases' first images; null when none could be read. */
  spacing: AxisRange | null;
  /** Grid size (voxels) per axis over the cases' first images. */
  size: AxisRange | null;
  /** Class name → voxels over all label maps (after the dataset's value remap). */
  labelVoxels: Record<string, number>;
  /** Class name → number of label maps in which it appears. */
  labelCases: Record<string, number>;
}

export interface DatasetCheckReport {
  format: string;
  root: string;
  cases: number;
  problems: DatasetProblem[];
  summary: DatasetSummary;
}

export interface CheckOptions {
  /** Called before each case is read, e.g. to show progress. */
  onCase?: (index: number, total: number, id: string) => void;
}

/** Reads a volume; an unreadable file becomes a problem instead of an exception. */
async function tryRead(path: string, problems: DatasetProblem[]): Promise<Volume | null> {
  try {
    return await readNifti(path);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const prefix = `${path}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    problems.push({ file: path, problem: `unreadable: ${message}` });
    return null;
  }
}

/** How the grid of `b` differs from that of `a` (dims, then affine), or null when it is the same. */
export function gridDifference(a: Volume, b: Volume): string | null {
  const da = a.dims.slice(0, 3);
  const db = b.dims.slice(0, 3);
  if (da.some((d, i) => d !== db[i])) return `dims [${db}] vs [${da}]`;
  let worst = 0;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 4; c++) {
      const x = a.affine[r]![c]!;
      const y = b.affine[r]![c]!;
      // Relative to the entry's size: affines are stored as float32 in NIfTI headers.
      worst = Math.max(worst, Math.abs(x - y) / Math.max(1, Math.abs(x), Math.abs(y)));
    }
  return worst > 1e-4 ? `affine differs (largest relative difference ${worst.toExponential(2)})` : null;
}

function countNonFinite(volume: Volume): number {
  if (volume.datatype !== 'float32' && volume.datatype !== 'float64') return 0;
  let count = 0;
  const data = volume.data;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) count++;
  return count;
}

/** Voxel count of each distinct value of a label map. */
function valueHistogram(data: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  let i = 0;
  while (i < data.length) {
    const v = data[i]!;
    let j = i + 1;
    // Label maps are long runs of one value: count a run at a time.
    while (j < data.length && data[j] === v) j++;
    counts.set(v, (counts.get(v) ?? 0) + (j - i));
    i = j;
  }
  return counts;
}

function axisRange(rows: number[][]): AxisRange | null {
  if (rows.length === 0) return null;
  const axes = [0, 1, 2].map((a) => rows.map((r) => r[a] ?? 1).sort((x, y) => x - y));
  const median = (s: number[]) =>
    s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return {
    min: axes.map((s) => s[0]!),
    median: axes.map(median),
    max: axes.map((s) => s[s.length - 1]!),
  };
}

const round = (x: number) => Number(x.toPrecision(6));

/**
 * Checks every case of a dataset (see the file comment). Resolves with the problems found; it only
 * rejects on a bug, never on bad data.
 */
export async function checkDataset(
  dataset: Dataset,
  options: CheckOptions = {},
): Promise<DatasetCheckReport> {
  const problems: DatasetProblem[] = [...dataset.problems];
  const spacings: number[][] = [];
  const sizes: number[][] = [];
  const labelVoxels: Record<string, number> = {};
  const labelCases: Record<string, number> = {};
  const allowed = new Map<number, string>();
  for (const [value, name] of Object.entries(dataset.labels)) allowed.set(Number(value), name);
  if (dataset.labelRemap) {
    allowed.clear();
    allowed.set(0, dataset.labels[0] ?? 'background');
    for (const [raw, value] of Object.entries(dataset.labelRemap)) {
      allowed.set(Number(raw), dataset.labels[value] ?? String(value));
    }
  }

  for (const [index, item] of dataset.cases.entries()) {
    options.onCase?.(index, dataset.cases.length, item.id);
    let reference: { volume: Volume; path: string } | null = null;
    for (const path of item.images) {
      const image = await tryRead(path, problems);
      if (image === null) continue;
      const nonFinite = countNonFinite(image);
      if (nonFinite > 0)
        problems.push({ file: path, problem: `${nonFinite} non-finite (NaN or infinite) voxels` });
      if (reference === null) {
        reference = { volume: image, path };
        spacings.push(image.spacing.map(round));
        sizes.push(image.dims.slice(0, 3));
      } else {
        const difference = gridDifference(reference.volume, image);
        if (difference)
          problems.push({ file: path, problem: `grid differs from ${reference.path}: ${difference}` });
      }
    }
    if (item.label === undefined) continue;
    const label = await tryRead(item.label, problems);
    if (label === null) continue;
    if ((label.dims[3] ?? 1) > 1)
      problems.push({ file: item.label, problem: `expected a 3D label map, got dims [${label.dims}]` });
    if (reference !== null) {
      const difference = gridDifference(reference.volume, label);
      if (difference)
        problems.push({ file: item.label, problem: `grid differs from ${reference.path}: ${difference}` });
    }
    const unexpected: number[] = [];
    for (const [value, count] of valueHistogram(label.data)) {
      const name = allowed.get(value);
      if (name === undefined) {
        unexpected.push(value);
        continue;
      }
      if (value === 0) continue;
      labelVoxels[name] = (labelVoxels[name] ?? 0) + count;
      labelCases[name] = (labelCases[name] ?? 0) + 1;
    }
    if (unexpected.length > 0) {
      unexpected.sort((a, b) => a - b);
      const shown = unexpected.slice(0, 8).join(', ') + (unexpected.length > 8 ? ', …' : '');
      problems.push({
        file: item.label,
        problem: `unexpected label values ${shown} (expected ${[...allowed.keys()].sort((a, b) => a - b).join(', ')})`,
      });
    }
  }

  const splits: Record<string, number> = {};
  for (const c of dataset.cases) {
    const key = c.split ?? 'unassigned';
    splits[key] = (splits[key] ?? 0) + 1;
  }
  // Classes in table order, then any name seen only through a remap.
  const ordered: Record<string, number> = {};
  const orderedCases: Record<string, number> = {};
  for (const [value, name] of Object.entries(dataset.labels)) {
    if (Number(value) === 0) continue;
    ordered[name] = labelVoxels[name] ?? 0;
    orderedCases[name] = labelCases[name] ?? 0;
  }
  return {
    format: dataset.format,
    root: dataset.root,
    cases: dataset.cases.length,
    problems,
    summary: {
      cases: dataset.cases.length,
      labelled: dataset.cases.filter((c) => c.label !== undefined).length,
      splits,
      modalities: dataset.modalities,
      spacing: axisRange(spacings),
      size: axisRange(sizes),
      labelVoxels: ordered,
      labelCases: orderedCases,
    },
  };
}
