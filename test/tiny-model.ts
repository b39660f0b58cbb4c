// A segmentation run folder made by hand in milliseconds (model.json, run.json and untrained
// weights of a two-level 2D U-Net), for tests of what `segment` refuses or writes, not what it finds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveSafetensors, seed, type Tensor } from '../src/engine/index.js';
import type { SegmentationModelInfo } from '../src/infer/model-description.js';
import { namedParameters } from '../src/nn/module.js';
import { buildSegmentationNetwork, type SegmentationNetworkConfig } from '../src/nn/segmentation-network.js';

const TINY_NETWORK: SegmentationNetworkConfig = { arch: 'unet2d', inChannels: 1, classes: 3, widths: [4, 8] };

/** The description of the tiny model: a two-level 2D U-Net for background, spleen and liver at 4 mm. */
export function tinyModelInfo(runId = 'tiny-run'): SegmentationModelInfo {
  return {
    format: 'mosmos-segmentation-model',
    network: TINY_NETWORK,
    preprocess: { spacing: [4, 4, 5], intensity: { kind: 'ct', min: -175, max: 250 } },
    orientation: 'RAS',
    window: [16, 16, 1],
    labels: { '0': 'background', '1': 'spleen', '2': 'liver' },
    weights: 'best.safetensors',
    runId,
  };
}

/** Writes a tiny model into `dir` (created); the weights carry `runId` unless `weightsRunId` differs. */
export async function writeTinyModel(
  dir: string,
  options: { runId?: string; weightsRunId?: string | null } = {},
): Promise<SegmentationModelInfo> {
  mkdirSync(dir, { recursive: true });
  const runId = options.runId ?? 'tiny-run';
  seed(1);
  const built = buildSegmentationNetwork(TINY_NETWORK);
  const tensors: Record<string, Tensor> = {};
  for (const [k, p] of namedParameters(built)) tensors[k] = p;
  const weightsRunId = options.weightsRunId === undefined ? runId : options.weightsRunId;
  await saveSafetensors(join(dir, 'best.safetensors'), tensors, {
    force: true,
    metadata: { format: 'mosmos-segmentation', ...(weightsRunId === null ? {} : { runId: weightsRunId }) },
  });
  const info = tinyModelInfo(runId);
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(info, null, 2)}\n`);
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify({ runId, command: 'finetune' })}\n`);
  return info;
}
