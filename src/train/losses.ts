/**
 * Pre-training losses (DESIGN.md §1): symmetric InfoNCE between image and report embeddings with a
 * learnable temperature, and BCE or the asymmetric loss (ASL) over organ tags with an ignore mask.
 */
import {
  abs,
  add,
  clamp,
  concat,
  div,
  exp,
  log,
  logSoftmax,
  matmul,
  max,
  maximum,
  mul,
  neg,
  pow,
  reshape,
  scaleShift,
  sigmoid,
  slice,
  sub,
  sum,
  type Tensor,
  tensor,
  transpose,
  zerosLike,
} from '../engine/index.js';
import { l2Normalize } from '../nn/pixel-tag-attention.js';

/** Mean cross-entropy of rows of `logits` [N, N] against the diagonal (row i's class is i). */
function diagonalCrossEntropy(logits: Tensor): Tensor {
  const n = logits.shape[0]!;
  const eye = new Float32Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  return neg(div(sum(mul(logSoftmax(logits, -1), tensor(eye, [n, n]))), n));
}

/**
 * Symmetric InfoNCE: images [N, d] and reports [N, d] (pair i matches i), cosine similarities
 * scaled by `scale` (exp of the learnable log scale); the mean of the image→report and
 * report→image cross-entropies.
 * @example symmetricInfoNce(g, t, logitScale.forward())
 */
export function symmetricInfoNce(images: Tensor, reports: Tensor, scale: Tensor): Tensor {
  const logits = mul(matmul(l2Normalize(images), l2Normalize(reports), { transposeB: true }), scale);
  return mul(add(diagonalCrossEntropy(logits), diagonalCrossEntropy(transpose(logits))), 0.5);
}

/** Splits -1/0/1 targets into the 0/1 target and the 1/0 "counts in the loss" weight. */
function targetsAndWeights(targets: Float32Array, shape: readonly number[]) {
  const y = new Float32Array(targets.length);
  const w = new Float32Array(targets.length);
  let count = 0;
  for (let i = 0; i < targets.length; i++) {
    if (targets[i]! < 0) continue;
    y[i] = targets[i]! > 0 ? 1 : 0;
    w[i] = 1;
    count++;
  }
  return { y: tensor(y, shape), w: tensor(w, shape), count: Math.max(1, count) };
}

/**
 * Binary cross-entropy with logits [N, K] against targets 1/0, entries with target -1 ignored; the
 * mean over the counted entries. Computed as max(x,0) − x·y + log(1 + e^−|x|), stable for any x.
 */
export function maskedBce(logits: Tensor, targets: Float32Array): Tensor {
  const { y, w, count } = targetsAndWeights(targets, logits.shape);
  const perEntry = add(
    sub(maximum(logits, zerosLike(logits)), mul(logits, y)),
    log(add(exp(neg(abs(logits))), 1)),
  );
  return div(sum(mul(perEntry, w)), count);
}

export interface AsymmetricLossOptions {
  /** Focusing exponent for positives (ASL paper and Recognize Anything: 0). */
  gammaPositive?: number;
  /**
   * Focusing exponent for negatives (ASL paper: 4; Recognize Anything: 7). Those values are for
   * vocabularies where negatives outnumber positives by 100–1000 to 1; organ tags are mostly
   * positive and the rare negatives (resections) are the informative ones, so pre-training uses 0.
   */
  gammaNegative?: number;
  /** Probability margin shifted off negatives (ASL paper and Recognize Anything: 0.05). */
  margin?: number;
}

/**
 * Asymmetric loss (Ridnik et al., ICCV 2021) over tags, ignoring entries with target -1: positives
 * −(1−p)^γ+ log p, negatives −p_m^γ− log(1−p_m) with p_m = max(p − m, 0); mean over counted entries.
 * It down-weights the many easy negatives that dominate multi-label data.
 */
export function asymmetricLoss(
  logits: Tensor,
  targets: Float32Array,
  options: AsymmetricLossOptions = {},
): Tensor {
  const gammaPositive = options.gammaPositive ?? 0;
  const gammaNegative = options.gammaNegative ?? 4;
  const margin = options.margin ?? 0.05;
  const { y, w, count } = targetsAndWeights(targets, logits.shape);
  const p = sigmoid(logits);
  const eps = 1e-8;
  let positive = log(clamp(p, eps));
  if (gammaPositive !== 0) positive = mul(positive, pow(scaleShift(p, -1, 1), gammaPositive));
  const shifted = margin > 0 ? clamp(sub(p, margin), 0) : p;
  let negative = log(clamp(scaleShift(shifted, -1, 1), eps));
  if (gammaNegative !== 0) negative = mul(negative, pow(shifted, gammaNegative));
  const perEntry = add(mul(positive, y), mul(negative, scaleShift(y, -1, 1)));
  return neg(div(sum(mul(perEntry, w)), count));
}

/**
 * Binary cross-entropy of probabilities p [N, K] (already in (0, 1), e.g. tagPresence) against
 * targets 1/0, -1 ignored; p is clamped to [1e-6, 1 − 1e-6] so the logarithms stay finite.
 */
export function maskedBceProbabilities(p: Tensor, targets: Float32Array): Tensor {
  const { y, w, count } = targetsAndWeights(targets, p.shape);
  const eps = 1e-6;
  const positive = mul(log(clamp(p, eps)), y);
  const negative = mul(log(clamp(scaleShift(p, -1, 1), eps)), scaleShift(y, -1, 1));
  return neg(div(sum(mul(add(positive, negative), w)), count));
}

/**
 * Multiple-instance pooling over bags of different sizes: instance rows [instances, K] (bag after bag,
 * `sizes[b]` rows each) → bag rows [bags, K] by the maximum over each bag's rows.
 */
export function maxOverBags(rows: Tensor, sizes: readonly number[]): Tensor {
  const k = rows.shape[1]!;
  if (sizes.every((s) => s === sizes[0])) return max(reshape(rows, [sizes.length, -1, k]), 1);
  let offset = 0;
  const parts = sizes.map((s) => {
    const part = max(slice(rows, [offset, 0], [s, k]), 0, true);
    offset += s;
    return part;
  });
  return concat(parts, 0);
}

/**
 * Multiple-instance pooling for 2D encoders with volume-level reports: slice logits
 * [volumes·slices, K] → volume logits [volumes, K] by the maximum over each volume's slices.
 */
export function maxOverSlices(sliceLogits: Tensor, volumes: number): Tensor {
  const k = sliceLogits.shape[1]!;
  return max(reshape(sliceLogits, [volumes, -1, k]), 1);
}
