/**
 * Cross-modal retrieval recall: with N images and their N reports, the similarity matrix
 * `sim[i * n + j]` = sim(image i, report j); report i is the match of image i.
 */

export interface RetrievalMetrics {
  imageToReport: { r1: number; r5: number; r10: number };
  reportToImage: { r1: number; r5: number; r10: number };
  /** Recall@K a random ranking would reach: K / N. */
  chance: { r1: number; r5: number; r10: number };
}

/** Candidates scoring above the true match, and those tied with it, for one query. */
function matchRank(
  sim: ArrayLike<number>,
  n: number,
  query: number,
  byRow: boolean,
): { better: number; ties: number } {
  const at = (c: number) => (byRow ? sim[query * n + c]! : sim[c * n + query]!);
  const own = at(query);
  let better = 0;
  let ties = 0;
  for (let c = 0; c < n; c++) {
    if (c === query) continue;
    const v = at(c);
    if (v > own) better++;
    else if (v === own) ties++;
  }
  return { better, ties };
}

/** Recall@1/5/10 in both directions. Example: `retrievalRecall(sim, 32).imageToReport.r1`. */
export function retrievalRecall(sim: ArrayLike<number>, n: number): RetrievalMetrics {
  const recall = (byRow: boolean) => {
    let r1 = 0;
    let r5 = 0;
    let r10 = 0;
    for (let q = 0; q < n; q++) {
      const { better, ties } = matchRank(sim, n, q, byRow);
      // Expected recall when ties are broken at random: the match lands uniformly among its ties,
      // so a constant similarity scores exactly chance and identical reports share the credit.
      const hit = (k: number) => Math.min(1, Math.max(0, (k - better) / (ties + 1)));
      r1 += hit(1);
      r5 += hit(5);
      r10 += hit(10);
    }
    return { r1: r1 / n, r5: r5 / n, r10: r10 / n };
  };
  return {
    imageToReport: recall(true),
    reportToImage: recall(false),
    chance: { r1: Math.min(1, 1 / n), r5: Math.min(1, 5 / n), r10: Math.min(1, 10 / n) },
  };
}
