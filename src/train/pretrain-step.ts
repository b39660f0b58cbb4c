/**
 * The losses of one MOSMOS pre-training batch (DESIGN.md §1), kept apart from the loop so any loop
 * can take the step: symmetric InfoNCE between bag embeddings g and report embeddings t, plus
 * λ × multi-label recognition (decoder logits max-pooled over each volume's bag) and μ × the maps'
 * own multiple-instance loss (tagPresence at every encoder stage, max-pooled over the bag).
 */
import { add, mul, type Tensor, tensor } from '../engine/index.js';
import type { MosmosModel } from '../nn/mosmos-model.js';
import { tagPresence } from '../nn/pixel-tag-attention.js';
import type { TokenBatch } from '../nn/text-encoder.js';
import {
  type AsymmetricLossOptions,
  asymmetricLoss,
  maskedBce,
  maskedBceProbabilities,
  maxOverBags,
  symmetricInfoNce,
} from './losses.js';
import type { BagBatch } from './pretrain-bag.js';
import { chunkPoolingWeights, type ReportTokens } from './report-tokens.js';

export interface PretrainBatch {
  images: BagBatch;
  reports: ReportTokens;
  /** Tag targets, row-major [volumes, K]: 1, 0 or -1 (ignored). */
  targets: Float32Array;
}

export interface PretrainLossWeights {
  /** λ: weight of the decoder's recognition loss (0 = contrastive only). */
  lambda: number;
  /** μ: weight of the maps' multiple-instance loss (0 = off). */
  mapLambda: number;
  mlrLoss: 'asl' | 'bce';
  asl?: AsymmetricLossOptions;
}

export interface PretrainLosses {
  loss: Tensor;
  contrastive: Tensor;
  mlr: Tensor | null;
  maps: Tensor | null;
}

/** Every loss term of a batch (with gradients when `training`). */
export function pretrainLosses(
  model: MosmosModel,
  batch: PretrainBatch,
  prompts: TokenBatch,
  weights: PretrainLossWeights,
  training = true,
): PretrainLosses {
  const { images, reports, targets } = batch;
  const bags = images.sizes.length;
  const enc = model.encodeImage(tensor(images.data, images.shape), training);
  const global = model.bagEmbedding(enc.pooled, images.owner, bags, training);
  const text = model.encodeReports(reports.batch, chunkPoolingWeights(reports), reports.reports, training);
  const contrastive = symmetricInfoNce(global, text, model.scale());
  let loss = contrastive;
  let mlr: Tensor | null = null;
  let maps: Tensor | null = null;
  if (weights.lambda > 0 || weights.mapLambda > 0) {
    const queries = model.tagQueries(prompts, training);
    if (weights.lambda > 0) {
      const logits = maxOverBags(model.recognise(enc.features, queries).logits, images.sizes);
      mlr =
        weights.mlrLoss === 'asl' ? asymmetricLoss(logits, targets, weights.asl) : maskedBce(logits, targets);
      loss = add(loss, mul(mlr, weights.lambda));
    }
    if (weights.mapLambda > 0) {
      const perStage = enc.stages.map((features) =>
        maskedBceProbabilities(maxOverBags(tagPresence(features, queries, model.tau), images.sizes), targets),
      );
      maps = mul(
        perStage.reduce((a, b) => add(a, b)),
        1 / perStage.length,
      );
      loss = add(loss, mul(maps, weights.mapLambda));
    }
  }
  return { loss, contrastive, mlr, maps };
}
