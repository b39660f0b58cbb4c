import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auroc, averagePrecision, tagRankingMetrics } from './ranking.js';

// Exact rational results, so the tolerance is float rounding only (1e-12).
test('average precision matches the hand-computed value', () => {
  // Ranked: 0.9(+) 0.8(-) 0.7(+) 0.1(-) → AP = (1/1 + 2/3) / 2
  assert.ok(Math.abs(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]) - (1 + 2 / 3) / 2) < 1e-12);
  assert.equal(averagePrecision([0.9, 0.1], [1, 1]), 1);
  assert.ok(Number.isNaN(averagePrecision([0.9, 0.1], [0, 0])));
  // Ignored entries (-1) do not count even when ranked first.
  assert.equal(averagePrecision([0.99, 0.9, 0.1], [-1, 1, 0]), 1);
});

test('AUROC: perfect, inverted, ties and ignored entries', () => {
  assert.equal(auroc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]), 1);
  assert.equal(auroc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]), 0);
  assert.equal(auroc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
  // 1 of 2 positive/negative orderings correct → 0.75 with pairs (p1>n1, p1>n2, p2>n1, p2<n2)
  assert.equal(auroc([0.9, 0.4, 0.3, 0.5], [1, 1, 0, 0]), 0.75);
  assert.equal(auroc([0.0, 0.9, 0.1], [-1, 1, 0]), 1);
});

test('tagRankingMetrics averages over tags with defined values', () => {
  // 3 samples × 2 tags; tag b has no positive → excluded from mAP.
  const scores = [0.9, 0.1, 0.2, 0.3, 0.8, 0.5];
  const targets = [1, 0, 0, 0, 1, 0];
  const m = tagRankingMetrics(scores, targets, 3, ['a', 'b']);
  assert.equal(m.perTag[0]!.ap, 1);
  assert.ok(Number.isNaN(m.perTag[1]!.ap));
  assert.equal(m.mAP, 1);
  assert.equal(m.perTag[0]!.positives, 2);
});
