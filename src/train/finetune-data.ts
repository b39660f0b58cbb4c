/**
 * Cases for fine-tuning: the dataset split (the split users know, written to `splits.json`), the
 * label-fraction subset, and each case's image preprocessed as the model sees it with its label map
 * carried onto the same grid (reoriented to RAS, nearest-neighbour resampled).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Dataset, type DatasetCase, readCaseImage, readCaseLabel } from '../data/dataset.js';
import { type LabelledPick, reportCoverageOrder } from '../data/labelled-pick.js';
import type { LabelledVolume } from '../data/patch-sampler.js';
import { channelSettings, type PreprocessSettings, preprocessVolume } from '../data/preprocess.js';
import { labelFractionSubset, splitDataset } from '../data/splits.js';
import { fileError, InputError } from '../errors.js';
import { readVolume } from '../io/read-volume.js';
import { tagLabels } from '../report/generate.js';
import { getVocabulary } from '../report/vocabularies.js';
import { reorientToRas } from '../volume/orientation.js';
import { resampleToGrid } from '../volume/resample.js';
import { loadTrainingPairs } from './pretrain-data.js';

export interface FinetuneSplits {
  /** Labelled training cases actually used (after the label fraction). */
  train: string[];
  /** All labelled training cases before the label fraction. */
  trainAll: string[];
  validation: string[];
  test: string[];
  labelFraction: number;
  seed: number;
  /** How the labelled subset was chosen (absent in runs from before the option: random). */
  pick?: LabelledPick;
}

/** Each report's tag targets over the vocabulary (tagger), keyed by image path; null without pairs.jsonl. */
function reportTargets(dataset: Dataset, vocabularyName: string) {
  const manifest = join(dataset.root, 'pairs.jsonl');
  if (!existsSync(manifest)) return null;
  const { pairs, tagNames } = loadTrainingPairs(manifest, getVocabulary(vocabularyName), { skipBad: true });
  return { tagNames, targets: new Map(pairs.map((p) => [resolve(p.image), p.targets])) };
}

/**
 * The organs each case's report says are in its image (tag target 1: present, abnormal, or an
 * always-imaged organ the report is silent about), read from `<dataset>/pairs.jsonl` with the tagger.
 */
export function reportedOrgans(dataset: Dataset, vocabularyName: string): Map<string, Set<string>> {
  const reports = reportTargets(dataset, vocabularyName);
  if (!reports)
    throw fileError(
      join(dataset.root, 'pairs.jsonl'),
      '--labelled-pick report-coverage reads the reports here: not found',
    );
  const { tagNames, targets } = reports;
  return new Map([...targets].map(([image, t]) => [image, new Set(tagNames.filter((_, i) => t[i] === 1))]));
}

/**
 * The label values each case's report says are not in its image (tag target 0: resected, "not
 * visualized", "not included in the field of view"), keyed by image path; tags are matched to the
 * dataset's labels by name. Empty without `<dataset>/pairs.jsonl`. Self-training removes these
 * organs from a case's pseudo-labels: the report knows better than a half-trained network.
 */
export function reportAbsentLabels(dataset: Dataset, vocabularyName: string): Map<string, Set<number>> {
  const reports = reportTargets(dataset, vocabularyName);
  if (!reports) return new Map();
  const names = Object.fromEntries(Object.entries(dataset.labels).map(([k, v]) => [Number(k), v]));
  const valuesOfTag = getVocabulary(vocabularyName).tags.map((t) =>
    tagLabels(t, names).filter((v) => v in names),
  );
  return new Map(
    [...reports.targets].map(([image, t]) => [
      image,
      new Set(valuesOfTag.flatMap((values, i) => (t[i] === 0 ? values : []))),
    ]),
  );
}

/** The dataset's split and the seeded label-fraction subset of its training cases. */
export function finetuneSplits(
  dataset: Dataset,
  labelFraction: number,
  seed: number,
  options: {
    labelledCases?: number;
    splitSeed?: number;
    /** 'report-coverage' needs `organs` (reportedOrgans): case image → organs its report names. */
    pick?: LabelledPick;
    organs?: ReadonlyMap<string, ReadonlySet<string>>;
  } = {},
): {
  splits: FinetuneSplits;
  train: DatasetCase[];
  validation: DatasetCase[];
  /** Training cases whose labels the subset leaves out (self-training's unlabelled images). */
  unlabelled: DatasetCase[];
} {
  const split = splitDataset(dataset, { seed: options.splitSeed ?? seed });
  if (split.train.length === 0) throw new InputError(`${dataset.root}: no labelled training cases`);
  const n = options.labelledCases ?? 0;
  if (n > split.train.length)
    throw new InputError(
      `${dataset.root}: --labelled-cases ${n} but only ${split.train.length} labelled training cases`,
    );
  // A count is the fraction n / all of the same seeded order, so counts are nested like fractions.
  const fraction = n > 0 ? n / split.train.length : labelFraction;
  const pick = options.pick ?? 'random';
  const organs = options.organs ?? new Map<string, ReadonlySet<string>>();
  if (pick === 'report-coverage' && !split.train.some((c) => organs.has(resolve(c.images[0]!))))
    throw new InputError(
      `${dataset.root}: --labelled-pick report-coverage found no report for any training case`,
    );
  const train = labelFractionSubset(
    split.train,
    fraction,
    seed,
    pick === 'report-coverage'
      ? (cases, s) => reportCoverageOrder(cases, (c) => organs.get(resolve(c.images[0]!)), s)
      : undefined,
  );
  return {
    splits: {
      train: train.map((c) => c.id),
      trainAll: split.train.map((c) => c.id),
      validation: split.validation.map((c) => c.id),
      test: split.test.map((c) => c.id),
      labelFraction,
      seed,
      pick,
    },
    train,
    validation: split.validation,
    unlabelled: split.train.filter((c) => !train.includes(c)),
  };
}

/** A case's image as read and as the model sees it (every channel the settings name). */
export async function loadPreparedImage(item: DatasetCase, settings: PreprocessSettings) {
  const channels = channelSettings(settings).length;
  const image =
    channels > 1 && item.images.length > 1
      ? await readCaseImage(item, channels)
      : await readVolume(item.images[0]!);
  return { image, prepared: preprocessVolume(image, settings) };
}

/**
 * A case's preprocessed image (every channel the settings name: BraTS t1, t1ce, t2, flair) and its
 * label map on the same grid (labels checked against `classes`).
 */
export async function loadLabelledCase(
  dataset: Dataset,
  item: DatasetCase,
  settings: PreprocessSettings,
  classes: number,
): Promise<LabelledVolume & { id: string }> {
  const { image, prepared } = await loadPreparedImage(item, settings);
  const label = reorientToRas(await readCaseLabel(dataset, item));
  const same = label.dims.slice(0, 3).every((d, i) => d === (image.dims[i] ?? 1));
  if (!same)
    throw fileError(
      item.label!,
      `label grid ${label.dims.slice(0, 3).join('×')} differs from the image's ${image.dims.slice(0, 3).join('×')}`,
    );
  const onGrid = resampleToGrid(label, { dims: prepared.dims, affine: prepared.affine! }, 'nearest').data;
  const labels = new Uint8Array(onGrid.length);
  for (let i = 0; i < onGrid.length; i++) {
    const v = Math.round(onGrid[i]!);
    if (v < 0 || v >= classes)
      throw fileError(item.label!, `label value ${v} outside the dataset's labels 0…${classes - 1}`);
    labels[i] = v;
  }
  return {
    id: item.id,
    image: prepared.data,
    label: labels,
    dims: prepared.dims,
    ...(prepared.channels ? { channels: prepared.channels } : {}),
  };
}
