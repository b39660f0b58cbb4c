/**
 * The losses of one MOSMOS pre-training batch (DESIGN.md §1), kept apart from the loop so any loop
 * can take the step: symmetric InfoNCE between bag embeddings g and report embeddings t, plus
 * λ × multi-label recognition (decoder logits max-pooled over each volume's bag) and μ × the maps'
 * own multiple-instance loss (tagPresence at every encoder stage, max-pooled over the bag).
 */
import { add, mul, noGrad, type Rng, reshape, slice, type Tensor, tensor, tidy } from '../engine/index.js';
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
  /**
   * When `images` holds only some instances of each bag (selectBagInstances): the full bag sizes and
   * the other instances' pooled encoder outputs summed and divided by the bag size, [bags, C].
   */
  rest?: { sizes: number[]; values: Float32Array };
}

export interface PretrainLossWeights {
  /** λ: weight of the decoder's recognition loss (0 = contrastive only). */
  lambda: number;
  /** μ: weight of the maps' multiple-instance loss (0 = off). */
  mapLambda: number;
  mlrLoss: 'asl' | 'bce';
  asl?: AsymmetricLossOptions;
  /**
   * The maps' loss looks at every s-th pixel of a stage wider than this (per axis), s the smallest
   * stride that brings it to this size: the finest 2D stage's maps cost more than the encoder otherwise
   * (measured: 1.6 s against 0.8 s for 32 patches of 64², no gradients), and a stage's maximum over
   * a regular sub-grid is within a pixel of its maximum. Default 16.
   */
  mapSide?: number;
}

/**
 * Every s-th pixel of a feature map [N, C, ...spatial] with s = ⌈side / maxSide⌉ per axis (the first
 * of each s×s block); unchanged when every side already fits.
 */
export function subsamplePixels(features: Tensor, maxSide = 16): Tensor {
  const [n, c, ...spatial] = features.shape as number[];
  const strides = spatial.map((d) => {
    let s = Math.ceil(d / maxSide);
    while (d % s !== 0) s++;
    return s;
  });
  if (strides.every((s) => s === 1)) return features;
  const blocked = reshape(features, [n!, c!, ...spatial.flatMap((d, i) => [d / strides[i]!, strides[i]!])]);
  const firsts = slice(
    blocked,
    blocked.shape.map(() => 0),
    blocked.shape.map((d, i) => (i >= 2 && (i - 2) % 2 === 1 ? 1 : d)),
  );
  return reshape(firsts, [n!, c!, ...spatial.map((d, i) => d / strides[i]!)]);
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
  const global = model.bagEmbedding(enc.pooled, images.owner, bags, training, batch.rest);
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
        maskedBceProbabilities(
          maxOverBags(
            tagPresence(subsamplePixels(features, weights.mapSide), queries, model.tau),
            images.sizes,
          ),
          targets,
        ),
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

/**
 * Max-pooling over a bag sends gradient only to the instance holding each tag's maximum, so the
 * recognition loss of the whole bag is exactly that of its argmax instances (and the maps' loss too
 * where all stages peak on the same instance, else a lower bound). This finds
 * them without gradients (in chunks, so memory stays bounded) and returns the batch cut down to them
 * plus what the contrastive term needs from the rest: their pooled outputs as constants. A whole-
 * volume bag then costs one inference pass plus a training pass over at most a few instances per tag.
 */
export function selectBagInstances(
  model: MosmosModel,
  images: BagBatch,
  prompts: TokenBatch,
  weights: PretrainLossWeights,
  rng?: Rng,
  chunk = 32,
): { images: BagBatch; rest: { sizes: number[]; values: Float32Array } } {
  const total = images.owner.length;
  const bags = images.sizes.length;
  const per = images.data.length / total;
  const scores: Float32Array[] = []; // one [total, K] table per pooled score
  let pooled: Float32Array | null = null;
  let pooledWidth = 0;
  noGrad(() => {
    const queries = tidy(() => model.tagQueries(prompts));
    for (let start = 0; start < total; start += chunk) {
      const count = Math.min(chunk, total - start);
      tidy(() => {
        const x = tensor(images.data.slice(start * per, (start + count) * per), [
          count,
          ...images.shape.slice(1),
        ]);
        const enc = model.encodeImage(x);
        const tables: Tensor[] = [];
        if (weights.lambda > 0) tables.push(model.recognise(enc.features, queries).logits);
        // One table for all stages (their mean): its argmax instances stand for every stage's, which
        // keeps the selection small; a stage whose own maximum lies elsewhere sees a lower bound.
        if (weights.mapLambda > 0) {
          const stages = enc.stages.map((f) =>
            tagPresence(subsamplePixels(f, weights.mapSide), queries, model.tau),
          );
          tables.push(
            mul(
              stages.reduce((a, b) => add(a, b)),
              1 / stages.length,
            ),
          );
        }
        tables.forEach((t, i) => {
          const k = t.shape[1]!;
          scores[i] ??= new Float32Array(total * k);
          scores[i]!.set(t.toFloat32Array(), start * k);
        });
        pooledWidth = enc.pooled.shape[1]!;
        pooled ??= new Float32Array(total * pooledWidth);
        pooled.set(enc.pooled.toFloat32Array(), start * pooledWidth);
      });
    }
    queries.dispose();
  });
  // Each bag's argmax instance for every tag and score, and one random instance (so the contrastive
  // gradient reaches every part of the body over the steps).
  const keep = new Set<number>();
  let offset = 0;
  for (const size of images.sizes) {
    keep.add(offset + (rng ? rng.int(size) : 0));
    for (const table of scores) {
      const k = table.length / total;
      for (let t = 0; t < k; t++) {
        let best = offset;
        for (let i = offset; i < offset + size; i++) if (table[i * k + t]! > table[best * k + t]!) best = i;
        keep.add(best);
      }
    }
    offset += size;
  }
  const chosen = [...keep].sort((a, b) => a - b);
  const rest = new Float32Array(bags * pooledWidth);
  const all = pooled! as Float32Array;
  for (let i = 0; i < total; i++) {
    if (keep.has(i)) continue;
    const b = images.owner[i]!;
    for (let c = 0; c < pooledWidth; c++)
      rest[b * pooledWidth + c]! += all[i * pooledWidth + c]! / images.sizes[b]!;
  }
  const data = new Float32Array(chosen.length * per);
  chosen.forEach((i, j) => {
    data.set(images.data.subarray(i * per, (i + 1) * per), j * per);
  });
  const owner = chosen.map((i) => images.owner[i]!);
  const sizes = Array.from({ length: bags }, (_, b) => owner.filter((o) => o === b).length);
  return {
    images: { data, shape: [chosen.length, ...images.shape.slice(1)], owner, sizes },
    rest: { sizes: [...images.sizes], values: rest },
  };
}
