/**
 * Train / validation / test splits and label-fraction subsets, reproducible from a seed.
 *
 * - A split the dataset defines is kept: BTCV's usual 24/6 split (validation = cases 0035–0040),
 *   AMOS's imagesTr / imagesVa / imagesTs folders, test cases without labels.
 * - Otherwise the labelled cases are shuffled with the seed and 20 % go to validation.
 */
import { InputError } from '../errors.js';
import type { Dataset, DatasetCase } from './dataset.js';

export interface DatasetSplits {
  train: DatasetCase[];
  validation: DatasetCase[];
  test: DatasetCase[];
}

export interface SplitOptions {
  seed?: number;
  /** Fraction of labelled cases held out for validation when the dataset defines no split (0.2). */
  validationFraction?: number;
}

/** mulberry32: a small, well-mixed 32-bit generator; enough for shuffling case lists. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates shuffle of a copy of `items`, sorted by id first so the input order does not matter. */
export function seededShuffle(items: readonly DatasetCase[], seed: number): DatasetCase[] {
  const out = [...items].sort((a, b) => a.id.localeCompare(b.id));
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Splits a dataset's cases (see the file comment). Unlabelled cases always go to test.
 *
 * @example
 * const { train, validation } = splitDataset(openDataset('/data/BTCV')); // 24 / 6
 */
export function splitDataset(dataset: Dataset, options: SplitOptions = {}): DatasetSplits {
  const seed = options.seed ?? 0;
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1))
    throw new InputError(`validation fraction must be in [0, 1), got ${fraction}`);
  const labelled = dataset.cases.filter((c) => c.label !== undefined);
  const test = dataset.cases.filter((c) => c.label === undefined);
  const defined = labelled.some((c) => c.split === 'validation');
  if (defined) {
    return {
      train: labelled.filter((c) => c.split === 'train' || c.split === undefined),
      validation: labelled.filter((c) => c.split === 'validation'),
      test: [...test, ...labelled.filter((c) => c.split === 'test')],
    };
  }
  const shuffled = seededShuffle(labelled, seed);
  const count = labelled.length < 2 ? 0 : Math.max(1, Math.round(labelled.length * fraction));
  const byId = (a: DatasetCase, b: DatasetCase) => a.id.localeCompare(b.id);
  return {
    train: shuffled.slice(count).sort(byId),
    validation: shuffled.slice(0, count).sort(byId),
    test,
  };
}

/**
 * A seeded subset with `fraction` of the training cases (at least one), for label-efficiency
 * experiments (e.g. 10 %, 25 %, 100 % of the labels). Smaller fractions with the same seed give
 * nested subsets, so the 10 % cases are also in the 25 % run. `order` ranks the cases for a seed (default a
 * seeded shuffle; report-coverage in labelled-pick.ts); the subset is the first `fraction` of it.
 */
export function labelFractionSubset(
  cases: readonly DatasetCase[],
  fraction: number,
  seed = 0,
  order: (cases: readonly DatasetCase[], seed: number) => DatasetCase[] = seededShuffle,
): DatasetCase[] {
  if (!(fraction > 0 && fraction <= 1))
    throw new InputError(`label fraction must be in (0, 1], got ${fraction}`);
  if (cases.length === 0) return [];
  const count = Math.max(1, Math.round(cases.length * fraction));
  return order(cases, seed)
    .slice(0, count)
    .sort((a, b) => a.id.localeCompare(b.id));
}
