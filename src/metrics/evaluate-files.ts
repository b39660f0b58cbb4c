/**
 * Evaluates pairs of label-map files (prediction, ground truth) case by case: reads both, checks
 * that they share a grid, and scores the requested labels or regions. Files are read one pair at
 * a time so a folder of 512×512×300 cases needs memory for one pair only. Both files must be
 * integer label maps (label-map.ts).
 */
import { readNifti } from '../io/nifti/index.js';
import type { Volume } from '../volume/volume.js';
import type { CasePair } from './case-matching.js';
import {
  type EvaluateOptions,
  evaluateCase,
  evaluateRegions,
  type LabelRegion,
  labelsPresent,
} from './evaluate.js';
import { assertLabelMap } from './label-map.js';
import type { CaseEvaluation } from './summary.js';

export interface EvaluateFilesOptions extends EvaluateOptions {
  /** Label values to score; default: every nonzero value present in either map of the case. */
  labels?: number[];
  /** Score these (possibly overlapping) regions instead of single labels. */
  regions?: LabelRegion[];
  /** Applied to each label map after reading (e.g. a dataset's raw-value remap). */
  transform?: (labelMap: Volume, path: string) => Volume;
  /** Called after each case, e.g. for progress. */
  onCase?: (index: number, total: number, evaluation: CaseEvaluation) => void;
}

/** Reads and scores each pair in turn (see the file comment). */
export async function evaluateCaseFiles(
  pairs: CasePair[],
  options: EvaluateFilesOptions = {},
): Promise<CaseEvaluation[]> {
  const results: CaseEvaluation[] = [];
  for (const [index, pair] of pairs.entries()) {
    const [predRaw, gtRaw] = await Promise.all([readNifti(pair.pred), readNifti(pair.gt)]);
    assertLabelMap(predRaw, pair.pred);
    assertLabelMap(gtRaw, pair.gt);
    const pred = options.transform ? options.transform(predRaw, pair.pred) : predRaw;
    const gt = options.transform ? options.transform(gtRaw, pair.gt) : gtRaw;
    pred.source = { ...(pred.source ?? { format: 'nifti' }), path: pair.pred };
    gt.source = { ...(gt.source ?? { format: 'nifti' }), path: pair.gt };
    let organs: CaseEvaluation['organs'];
    if (options.regions) organs = evaluateRegions(pred, gt, options.regions, options);
    else {
      const labels =
        options.labels ??
        [...new Set([...labelsPresent(gt.data), ...labelsPresent(pred.data)])].sort((a, b) => a - b);
      organs = evaluateCase(pred, gt, labels, options);
    }
    const evaluation = { case: pair.case, organs };
    results.push(evaluation);
    options.onCase?.(index, pairs.length, evaluation);
  }
  return results;
}
