/**
 * The model description `model.json` that a fine-tuning run writes and `mosmos segment` reads: its
 * own module so that training and inference share it without importing each other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreprocessSettings } from '../data/preprocess.js';
import type { Region } from '../data/regions.js';
import { fileError } from '../errors.js';
import type { SegmentationNetworkConfig } from '../nn/segmentation-network.js';

/** What `mosmos segment` needs to rebuild and run the network exactly as trained (`model.json`). */
export interface SegmentationModelInfo {
  format: 'mosmos-segmentation-model';
  network: SegmentationNetworkConfig;
  /** Reorientation is always to RAS; then this spacing and intensity normalisation. */
  preprocess: PreprocessSettings;
  orientation: 'RAS';
  /** Window [x, y, z] in voxels of the preprocessed grid (z = 1 for 2D networks). */
  window: [number, number, number];
  /** Label value → name (0 = background). */
  labels: Record<string, string>;
  /**
   * Input channel names in order (BraTS: t1, t1ce, t2, flair), when the network takes more than one
   * (`network.inChannels`); `mosmos segment` takes one file per channel in this order.
   */
  channels?: string[];
  /**
   * Overlapping sigmoid regions, one network output each (BraTS WT/TC/ET), instead of softmax
   * classes; `segment` paints them back into `labels`' values (WT∖TC → 2, TC∖ET → 1, ET → 4).
   */
  regions?: Region[];
  /** Tag names of the attention maps (in channel order), when attention is on. */
  tags?: string[];
  tagVocabulary?: string;
  /** Weights file of the best validation Dice (or the last epoch when there was no validation). */
  weights: string;
  /** The run that wrote it (run.json's runId); its weights file carries the same id. */
  runId?: string;
  /** Post-processing `mosmos segment` applies unless told otherwise (absent: none). */
  postprocess?: 'none' | 'lcc';
}

export const MODEL_INFO_FILE = 'model.json';

/** Reads `model.json` of a fine-tuning run folder. */
export function readModelInfo(runDir: string): SegmentationModelInfo {
  const path = join(runDir, MODEL_INFO_FILE);
  if (!existsSync(path)) throw fileError(path, 'not found (is this a mosmos finetune run folder?)');
  let info: SegmentationModelInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as SegmentationModelInfo;
  } catch (error) {
    throw fileError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (info.format !== 'mosmos-segmentation-model')
    throw fileError(path, 'not a mosmos segmentation model description');
  return info;
}

/** Describes an id for a message (runs from before ids existed have none). */
export function describeRunId(id: string | undefined): string {
  return id === undefined ? 'a run without an id' : `run ${id}`;
}
