/**
 * Cases for fine-tuning: the dataset split (the split users know, written to `splits.json`), the
 * label-fraction subset, and each case's image preprocessed as the model sees it with its label map
 * carried onto the same grid (reoriented to RAS, nearest-neighbour resampled).
 */
import { type Dataset, type DatasetCase, readCaseImage, readCaseLabel } from '../data/dataset.js';
import type { LabelledVolume } from '../data/patch-sampler.js';
import { channelSettings, type PreprocessSettings, preprocessVolume } from '../data/preprocess.js';
import { labelFractionSubset, splitDataset } from '../data/splits.js';
import { fileError, InputError } from '../errors.js';
import { readVolume } from '../io/read-volume.js';
import { reorientToRas } from '../volume/orientation.js';
import { resampleToGrid } from '../volume/resample.js';

export interface FinetuneSplits {
  /** Labelled training cases actually used (after the label fraction). */
  train: string[];
  /** All labelled training cases before the label fraction. */
  trainAll: string[];
  validation: string[];
  test: string[];
  labelFraction: number;
  seed: number;
}

/** The dataset's split and the seeded label-fraction subset of its training cases. */
export function finetuneSplits(
  dataset: Dataset,
  labelFraction: number,
  seed: number,
  options: { labelledCases?: number; splitSeed?: number } = {},
): { splits: FinetuneSplits; train: DatasetCase[]; validation: DatasetCase[] } {
  const split = splitDataset(dataset, { seed: options.splitSeed ?? seed });
  if (split.train.length === 0) throw new InputError(`${dataset.root}: no labelled training cases`);
  const n = options.labelledCases ?? 0;
  if (n > split.train.length)
    throw new InputError(
      `${dataset.root}: --labelled-cases ${n} but only ${split.train.length} labelled training cases`,
    );
  // A count is the fraction n / all of the same seeded order, so counts are nested like fractions.
  const train = labelFractionSubset(split.train, n > 0 ? n / split.train.length : labelFraction, seed);
  return {
    splits: {
      train: train.map((c) => c.id),
      trainAll: split.train.map((c) => c.id),
      validation: split.validation.map((c) => c.id),
      test: split.test.map((c) => c.id),
      labelFraction,
      seed,
    },
    train,
    validation: split.validation,
  };
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
  const channels = channelSettings(settings).length;
  const image =
    channels > 1 && item.images.length > 1
      ? await readCaseImage(item, channels)
      : await readVolume(item.images[0]!);
  const prepared = preprocessVolume(image, settings);
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
