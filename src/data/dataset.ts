/**
 * The dataset model shared by every adapter: cases (image files per modality, an optional label
 * file, a split), the label table and how raw label values map onto it. `openDataset` finds the
 * layout a user downloaded (BTCV, AMOS, MMWHS, BraTS, or any MSD / nnU-Net folder) and lists it
 * without reading voxels; `readCaseLabel` reads a label map with the dataset's value remap applied.
 */
import { fileError, InputError } from '../errors.js';
import { readNifti } from '../io/nifti/index.js';
import { stackChannels } from '../volume/channels.js';
import { type Volume, withVoxels } from '../volume/volume.js';
import { openAmos } from './amos.js';
import { openBrats } from './brats.js';
import { openBtcv } from './btcv.js';
import { detectDatasetFormat } from './detect-format.js';
import { openMmwhs } from './mmwhs.js';
import { openMsd } from './msd.js';

export type DatasetFormat = 'btcv' | 'amos' | 'mmwhs' | 'brats' | 'msd';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['btcv', 'amos', 'mmwhs', 'brats', 'msd'];

export type DatasetSplit = 'train' | 'validation' | 'test';

export interface DatasetCase {
  id: string;
  /** Absolute paths, one per modality (in `Dataset.modalities` order; one 4D file for MSD BraTS). */
  images: string[];
  /** Absolute path of the label map; absent for unlabelled (test) cases. */
  label?: string;
  /** The split the dataset itself assigns (AMOS folders, BTCV's usual validation cases), if any. */
  split?: DatasetSplit;
  /** Imaging modality of this case when a dataset mixes them ('ct' | 'mr' for AMOS and MMWHS). */
  modality?: string;
}

/** A layout problem found while listing a dataset (e.g. an image without its label). */
export interface DatasetProblem {
  file: string;
  problem: string;
}

export interface Dataset {
  format: DatasetFormat;
  root: string;
  cases: DatasetCase[];
  /** Label value → organ/region name after remapping; 0 = background. */
  labels: Record<number, string>;
  /** Names of the image channels, e.g. ['CT'] or ['t1', 't1ce', 't2', 'flair']. */
  modalities: string[];
  /** Raw label value in the files → label value in `labels` (MMWHS: 205 → 1 …); absent = identity. */
  labelRemap?: Record<number, number>;
  /** Layout problems found while listing (missing or extra files); `checkDataset` adds voxel checks. */
  problems: DatasetProblem[];
}

/**
 * Lists a dataset folder in the layout of `format`, or of the detected format when omitted.
 *
 * @example
 * const btcv = openDataset('/data/BTCV'); // img/img0001.nii.gz + label/label0001.nii.gz …
 */
export function openDataset(dir: string, format?: DatasetFormat): Dataset {
  const chosen = format ?? detectDatasetFormat(dir);
  switch (chosen) {
    case 'btcv':
      return openBtcv(dir);
    case 'amos':
      return openAmos(dir);
    case 'mmwhs':
      return openMmwhs(dir);
    case 'brats':
      return openBrats(dir);
    case 'msd':
      return openMsd(dir);
    default:
      throw new InputError(
        `unknown dataset format "${String(chosen)}" (expected ${DATASET_FORMATS.join(', ')})`,
      );
  }
}

/** Parses a --format value. */
export function parseDatasetFormat(value: string): DatasetFormat {
  const lower = value.toLowerCase();
  if ((DATASET_FORMATS as readonly string[]).includes(lower)) return lower as DatasetFormat;
  if (lower === 'nnunet') return 'msd';
  throw new InputError(`unknown dataset format "${value}" (expected ${DATASET_FORMATS.join(', ')})`);
}

/** The cases of one modality ('ct' or 'mr'), for datasets that mix them (AMOS, MMWHS). */
export function filterByModality(dataset: Dataset, modality: string): Dataset {
  const wanted = modality.toLowerCase();
  if (wanted !== 'ct' && wanted !== 'mr')
    throw new InputError(`unknown modality "${modality}" (expected ct or mr)`);
  if (!dataset.cases.some((c) => c.modality !== undefined)) {
    throw new InputError(
      `${dataset.format} cases carry no per-case modality; --modality applies to amos and mmwhs`,
    );
  }
  return { ...dataset, cases: dataset.cases.filter((c) => c.modality === wanted) };
}

/**
 * Maps raw label values through `remap` (values not listed are an error naming the file, since a
 * silently dropped class would corrupt training). Returns uint8 voxels when all targets fit.
 */
export function remapLabelVolume(volume: Volume, remap: Record<number, number>, name: string): Volume {
  const table = new Map<number, number>([[0, 0]]);
  for (const [raw, value] of Object.entries(remap)) table.set(Number(raw), value);
  const maxTarget = Math.max(...table.values());
  const out = maxTarget <= 255 ? new Uint8Array(volume.data.length) : new Int32Array(volume.data.length);
  const unexpected = new Set<number>();
  const src = volume.data;
  let lastRaw = 0;
  let lastValue = 0;
  for (let i = 0; i < src.length; i++) {
    const raw = src[i]!;
    if (raw !== lastRaw) {
      const mapped = table.get(raw);
      if (mapped === undefined) {
        unexpected.add(raw);
        continue;
      }
      lastRaw = raw;
      lastValue = mapped;
    }
    out[i] = lastValue;
  }
  if (unexpected.size > 0) {
    const values = [...unexpected].sort((a, b) => a - b).slice(0, 10);
    throw fileError(
      name,
      `unexpected label values ${values.join(', ')} (expected ${[...table.keys()].join(', ')})`,
    );
  }
  return withVoxels(volume, out, out instanceof Uint8Array ? 'uint8' : 'int32');
}

/** Reads a case's label map with the dataset's value remap applied (MMWHS 205…850 → 1…7). */
export async function readCaseLabel(dataset: Dataset, item: DatasetCase): Promise<Volume> {
  if (item.label === undefined) throw new InputError(`case ${item.id} of ${dataset.root} has no label map`);
  const volume = await readNifti(item.label);
  return dataset.labelRemap ? remapLabelVolume(volume, dataset.labelRemap, item.label) : volume;
}

/**
 * The image of a case: its first `channels` files (default all) stacked channel-major, one file
 * returned as read (a 4D file keeps its channels).
 */
export async function readCaseImage(item: DatasetCase, channels = item.images.length): Promise<Volume> {
  const paths = item.images.slice(0, Math.max(1, channels));
  return stackChannels(await Promise.all(paths.map((path) => readNifti(path))), paths);
}
