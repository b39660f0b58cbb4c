/**
 * Ranking metrics for multi-label recognition: average precision and AUROC per tag, and their mean
 * over tags. Targets are 1 (positive), 0 (negative) or -1 (ignored: not known from the report).
 */

/** Average precision of `scores` against binary `targets` (entries with target < 0 are ignored); NaN when no positive. */
export function averagePrecision(scores: ArrayLike<number>, targets: ArrayLike<number>): number {
  const idx: number[] = [];
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (targets[i]! < 0) continue;
    idx.push(i);
    if (targets[i]! > 0) positives++;
  }
  if (positives === 0) return Number.NaN;
  idx.sort((a, b) => scores[b]! - scores[a]!);
  // Tied scores are treated as one block (precision evaluated at the block's end), as scikit-learn does.
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    let blockTp = 0;
    while (j < idx.length && scores[idx[j]!] === scores[idx[i]!]) {
      if (targets[idx[j]!]! > 0) blockTp++;
      j++;
    }
    tp += blockTp;
    seen += j - i;
    ap += (blockTp / positives) * (tp / seen);
    i = j;
  }
  return ap;
}

/** Area under the ROC curve (Mann–Whitney U, ties count one half); NaN without both classes. */
export function auroc(scores: ArrayLike<number>, targets: ArrayLike<number>): number {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (targets[i]! >= 0) idx.push(i);
  idx.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j < idx.length && scores[idx[j]!] === scores[idx[i]!]) j++;
    const midRank = (i + 1 + j) / 2; // 1-based average rank of the tie block
    for (let k = i; k < j; k++) {
      if (targets[idx[k]!]! > 0) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface TagRankingMetrics {
  /** Mean AP over tags that have at least one positive. */
  mAP: number;
  /** Mean AUROC over tags that have both classes. */
  meanAuroc: number;
  perTag: { tag: string; ap: number; auroc: number; positives: number; negatives: number }[];
}

/**
 * Per-tag AP and AUROC from row-major `scores` and `targets` (samples × tags).
 * Example: `tagRankingMetrics(logits, targets, 40, ['liver', 'spleen'])`.
 */
export function tagRankingMetrics(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  samples: number,
  tags: readonly string[],
): TagRankingMetrics {
  const k = tags.length;
  const perTag = tags.map((tag, t) => {
    const s = new Float64Array(samples);
    const y = new Float64Array(samples);
    let positives = 0;
    let negatives = 0;
    for (let n = 0; n < samples; n++) {
      s[n] = scores[n * k + t]!;
      y[n] = targets[n * k + t]!;
      if (y[n]! > 0) positives++;
      else if (y[n] === 0) negatives++;
    }
    return { tag, ap: averagePrecision(s, y), auroc: auroc(s, y), positives, negatives };
  });
  const mean = (values: number[]) => {
    const finite = values.filter(Number.isFinite);
    return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
  };
  return { mAP: mean(perTag.map((p) => p.ap)), meanAuroc: mean(perTag.map((p) => p.auroc)), perTag };
}
