/**
 * A fine-tuned segmentation model loaded from its run folder: `model.json` (network, preprocessing,
 * window, labels) and the weights it names, ready for `segmentVolume`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensors } from '../engine/index.js';
import { fileError } from '../errors.js';
import { loadStateDict } from '../nn/module.js';
import { buildSegmentationNetwork, type SegmentationNetwork } from '../nn/segmentation-network.js';
import {
  describeRunId,
  MODEL_INFO_FILE,
  readModelInfo,
  type SegmentationModelInfo,
} from './model-description.js';

export interface SegmentationModel {
  info: SegmentationModelInfo;
  network: SegmentationNetwork;
  runDir: string;
}

/** Loads the run's network with the weights `model.json` names (the best validation epoch). */
export async function loadSegmentationModel(runDir: string): Promise<SegmentationModel> {
  const info = readModelInfo(runDir);
  const network = buildSegmentationNetwork(info.network);
  const path = join(runDir, info.weights);
  if (!existsSync(path))
    throw fileError(
      path,
      `missing: the run has not saved the weights model.json names yet (stopped before its first epoch ended? continue it with finetune --resume)`,
    );
  const file = await loadSafetensors(path);
  // Weights left by another run (an old --force, a copied file) must never pass for this model.
  if (file.metadata.runId !== info.runId)
    throw fileError(
      path,
      `written by ${describeRunId(file.metadata.runId)}, but ${join(runDir, MODEL_INFO_FILE)} describes ${describeRunId(info.runId)}`,
    );
  const weights = new Map(Object.entries(file.tensors).map(([k, v]) => [k.replace(/^model\./, ''), v]));
  try {
    loadStateDict(network, weights);
  } catch (error) {
    throw fileError(path, `does not fit the network in model.json (${(error as Error).message})`);
  }
  return { info, network, runDir };
}
