/**
 * Starting a segmentation network from a MOSMOS pre-training run: the image encoder E and the 1×1
 * feature projection are copied by name, and the tag queries q_k are computed once from the run's
 * text encoder and tag prompts and become trainable parameters of the network.
 */
import { noGrad, tensor } from '../engine/index.js';
import { InputError } from '../errors.js';
import { loadStateDict, stateDict } from '../nn/module.js';
import type { SegmentationNetwork } from '../nn/segmentation-network.js';
import { getVocabulary } from '../report/vocabularies.js';
import { loadWeights } from './checkpoint.js';
import { buildPretrainModel, type PretrainRuntime } from './pretrain.js';
import type { PretrainConfig } from './pretrain-config.js';
import { tokenBatch } from './pretrain-data.js';
import { readRunInfo } from './run-record.js';

export interface PretrainedParts {
  config: PretrainConfig;
  tagNames: string[];
  /** State of the pre-trained image encoder and feature projection, by parameter name. */
  encoder: Map<string, { shape: number[]; values: Float32Array }>;
  featureProjection: Map<string, { shape: number[]; values: Float32Array }>;
  /** q_k [K, embedDim]. */
  queries: { shape: number[]; values: Float32Array };
}

const copyState = (module: object) =>
  new Map([...stateDict(module)].map(([k, p]) => [k, { shape: [...p.shape], values: p.toFloat32Array() }]));

/** Reads a pre-training run folder (run.json, vocab.txt, checkpoint). */
export async function readPretrainedParts(
  runDir: string,
  runtime: PretrainRuntime = {},
): Promise<PretrainedParts> {
  const info = readRunInfo(runDir);
  if (info.command !== 'pretrain')
    throw new InputError(`${runDir}: not a pre-training run (command "${info.command}")`);
  const config = info.config as unknown as PretrainConfig;
  const vocabulary = getVocabulary(config.tags);
  const tagNames = vocabulary.tags.map((t) => t.name);
  const { model, tokenizer } = await buildPretrainModel(config, runDir, null, tagNames, runtime);
  await loadWeights(runDir, model);
  const prompts = tokenBatch(
    tokenizer,
    vocabulary.tags.map((t) => t.prompt),
    Math.min(16, config.maxTokens),
  );
  const q = noGrad(() => model.tagQueries(prompts));
  return {
    config,
    tagNames,
    encoder: copyState(model.imageEncoder),
    featureProjection: copyState(model.featureProjection),
    queries: { shape: [...q.shape], values: q.toFloat32Array() },
  };
}

/** Copies the pre-trained parts into `network` (its encoder must have the same configuration). */
export function initializeFromPretrained(network: SegmentationNetwork, parts: PretrainedParts): void {
  if (!('imageEncoder' in network))
    throw new InputError('the 3D U-Net has no report-pre-trained encoder yet');
  loadStateDict(network.imageEncoder, parts.encoder);
  if (network.attention) {
    loadStateDict(network.attention.featureProjection, parts.featureProjection);
    const { shape, values } = parts.queries;
    const target = network.attention.tagQueries.shape;
    if (shape.length !== target.length || shape.some((d, i) => d !== target[i]))
      throw new Error(`tag queries [${shape}] do not fit [${target}]`);
    network.attention.tagQueries.assign(tensor(Float32Array.from(values), shape));
  }
}
