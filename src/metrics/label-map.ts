/**
 * Guards `evaluate` against files that are not label maps. A CT image given as `--pred` used to be
 * scored as one "organ" per distinct intensity (1,709 of them); label maps hold small non-negative
 * integers, whatever their stored type (float32 label maps written by other tools are common, so
 * the values are checked, not the NIfTI datatype).
 */
import { fileError } from '../errors.js';
import type { Volume } from '../volume/volume.js';

/**
 * More distinct values than any public label table has (TotalSegmentator: 117, AMOS: 16): a map
 * with more is an image, not labels.
 */
export const MAX_LABEL_VALUES = 1000;

/** What is wrong with `data` as a label map, or undefined when it is one. */
export function labelMapProblem(data: ArrayLike<number>): string | undefined {
  const seen = new Set<number>();
  let nonInteger = false;
  let negative = false;
  let last = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v === last && i > 0) continue;
    last = v;
    if (!Number.isInteger(v)) nonInteger = true;
    else if (v < 0) negative = true;
    seen.add(v);
  }
  const tooMany = seen.size > MAX_LABEL_VALUES;
  if (!nonInteger && !negative && !tooMany) return undefined;
  const reasons = [
    ...(nonInteger ? ['non-integer'] : []),
    ...(negative ? ['negative'] : []),
    ...(tooMany && !nonInteger && !negative ? [`more than ${MAX_LABEL_VALUES}`] : []),
  ];
  return `not a label map: ${seen.size.toLocaleString('en-US')} distinct values, ${reasons.join(', ')} (expected integer labels ≥ 0, e.g. a segmentation, not an image)`;
}

/** Throws an error naming `path` when `volume` is not an integer label map (see the file comment). */
export function assertLabelMap(volume: Volume, path: string): void {
  const problem = labelMapProblem(volume.data);
  if (problem !== undefined) throw fileError(path, problem);
}
