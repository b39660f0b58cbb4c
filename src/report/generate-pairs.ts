// Image–report pairs for a segmentation dataset that has no reports: one generated report per
// labelled case, written as the pairs manifest (DESIGN.md §3) that pre-training reads.
import { dirname, relative, resolve } from 'node:path';
import { type Dataset, type DatasetFormat, readCaseLabel } from '../data/dataset.js';
import { type GeneratedStatus, generateReport } from './generate.js';
import { getVocabulary, type TagVocabulary, type VocabularyName } from './vocabularies.js';

/** One manifest line. */
export interface GeneratedPair {
  image: string;
  /** All image channels, when the case has several files (BraTS). */
  images?: string[];
  report: string;
  tags: Record<string, GeneratedStatus>;
  generated: true;
  case: string;
}

export interface GeneratePairsOptions {
  /** Base seed; each case's seed also depends on its id, so reports do not change with case order. */
  seed?: number;
  /** Vocabulary to describe; defaults to the dataset's own (the abdominal union for MSD folders). */
  vocabulary?: TagVocabulary;
  /** Paths are written relative to this folder (the manifest's); absolute when omitted. */
  relativeTo?: string;
  /** Called after each case, e.g. for progress. */
  onCase?: (done: number, total: number, id: string) => void;
}

const defaultVocabulary: Record<DatasetFormat, VocabularyName> = {
  btcv: 'btcv',
  amos: 'amos',
  mmwhs: 'mmwhs',
  brats: 'brats',
  msd: 'abdomen',
};

/** FNV-1a hash of a case id, mixed into the seed. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A generated report for every case of `dataset` that has a label map. */
export async function generateDatasetPairs(
  dataset: Dataset,
  options: GeneratePairsOptions = {},
): Promise<{ pairs: GeneratedPair[]; skipped: string[] }> {
  const vocabulary = options.vocabulary ?? getVocabulary(defaultVocabulary[dataset.format]);
  // An MSD folder numbers its labels its own way: match tags to its label names instead.
  const labelNames = dataset.format === 'msd' ? dataset.labels : undefined;
  const path = (p: string) =>
    options.relativeTo ? relative(resolve(options.relativeTo), resolve(p)) : resolve(p);
  const labelled = dataset.cases.filter((c) => c.label !== undefined);
  const pairs: GeneratedPair[] = [];
  for (const [index, item] of labelled.entries()) {
    const labelMap = await readCaseLabel(dataset, item);
    const seed = ((options.seed ?? 0) ^ hashId(item.id)) >>> 0;
    const report = generateReport(labelMap, vocabulary, labelNames ? { seed, labelNames } : { seed });
    const pair: GeneratedPair = {
      image: path(item.images[0]!),
      report: report.text,
      tags: report.tags,
      generated: true,
      case: item.id,
    };
    if (item.images.length > 1) pair.images = item.images.map(path);
    pairs.push(pair);
    options.onCase?.(index + 1, labelled.length, item.id);
  }
  const skipped = dataset.cases.filter((c) => c.label === undefined).map((c) => c.id);
  return { pairs, skipped };
}

/** The folder manifest paths are relative to. */
export const manifestFolder = (manifestPath: string) => dirname(resolve(manifestPath));
