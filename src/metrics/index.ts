// Segmentation metrics (MONAI definitions) and the recognition/retrieval metrics of pre-training.
export { type CasePair, caseKey, matchCaseFiles } from './case-matching.js';
export { type DiceOptions, diceFromCounts, diceScore, nanMean, type OverlapCounts } from './dice.js';
export {
  type DistanceArray,
  type DistanceTransformOptions,
  euclideanDistanceTransform,
  type MaskArray,
} from './distance-transform.js';
export {
  assertSameGrid,
  type EvaluateOptions,
  evaluateCase,
  evaluateRegions,
  type LabelRegion,
  labelsPresent,
  type OrganMetrics,
  voxelMl,
} from './evaluate.js';
export { type EvaluateFilesOptions, evaluateCaseFiles } from './evaluate-files.js';
export { hausdorff95, hausdorffDistance, hausdorffFromDistances, percentile } from './hausdorff.js';
export { assertLabelMap, labelMapProblem, MAX_LABEL_VALUES } from './label-map.js';
export { auroc, averagePrecision, type TagRankingMetrics, tagRankingMetrics } from './ranking.js';
export { type RetrievalMetrics, retrievalRecall } from './retrieval.js';
export {
  type CaseEvaluation,
  type FalsePositiveStat,
  falsePositiveStat,
  type MetricStat,
  metricStat,
  type OrganSummary,
  summarizeEvaluations,
} from './summary.js';
export { maskEdges, type SurfaceDistances, surfaceDistances } from './surface.js';
export { normalizedSurfaceDice, surfaceDiceFromDistances } from './surface-dice.js';
