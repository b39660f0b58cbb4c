/**
 * Pairs prediction files with ground-truth files by case id, for evaluating a folder of
 * predictions. A file name's case key is its name without the .nii/.nii.gz extension, lower-cased,
 * with the words datasets and tools put around the id removed:
 *
 * - a prefix `img`, `image`, `label`, `labels`, `seg`, `pred`, `prediction`, `mask`, `gt` followed by
 *   `_`/`-` or directly by a digit (`img0035` and `label0035` → `0035`);
 * - a suffix `_image`, `_img`, `_label`, `_seg`, `_pred`, `_prediction`, `_mask`, `_gt` (MM-WHS
 *   `ct_train_1001_label`, BraTS `BraTS2021_00000_seg` → the case folder's name);
 * - nnU-Net's channel suffix `_0000`.
 *
 * Files with identical names are paired first; then by key. A ground truth without a prediction
 * is an error; predictions without a ground truth are returned so the caller can warn.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from '../errors.js';

export interface CasePair {
  case: string;
  pred: string;
  gt: string;
}

const WORDS = 'image|img|labels|label|segmentation|seg|prediction|pred|mask|gt';
const PREFIX = new RegExp(`^(?:${WORDS})(?:[_-]|(?=\\d))`);
const SUFFIX = new RegExp(`[_-](?:${WORDS})$`);

/** The NIfTI file name without its extension, or null for other files. */
function niftiStem(name: string): string | null {
  if (name.startsWith('.')) return null;
  const match = /^(.*)\.nii(?:\.gz)?$/i.exec(name);
  return match ? match[1]! : null;
}

/** The case key of a file name (see the file comment). */
export function caseKey(name: string): string {
  let key = (niftiStem(name) ?? name).toLowerCase();
  key = key.replace(/_0000$/, '');
  key = key.replace(SUFFIX, '');
  key = key.replace(PREFIX, '');
  return key;
}

/** NIfTI files of a folder, sorted. */
function niftiFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw fileError(dir, 'cannot list folder');
  }
  return names.filter((n) => niftiStem(n) !== null && statSync(join(dir, n)).isFile()).sort();
}

/** Index of names by key; two files with one key is an error naming both. */
function byKey(dir: string, names: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of names) {
    const key = caseKey(name);
    const other = map.get(key);
    if (other !== undefined)
      throw fileError(join(dir, name), `same case id "${key}" as ${other}; cannot pair files`);
    map.set(key, name);
  }
  return map;
}

/**
 * Pairs the NIfTI files of `predDir` and `gtDir` (see the file comment).
 *
 * @example
 * matchCaseFiles('preds/', 'BTCV/label/'); // img0035.nii.gz ↔ label0035.nii.gz as case "0035"
 */
export function matchCaseFiles(
  predDir: string,
  gtDir: string,
): { pairs: CasePair[]; unmatchedPreds: string[] } {
  const preds = niftiFiles(predDir);
  const gts = niftiFiles(gtDir);
  if (gts.length === 0) throw fileError(gtDir, 'no .nii or .nii.gz files');
  const predNames = new Set(preds);
  const predByKey = byKey(predDir, preds);
  const used = new Set<string>();
  const pairs: CasePair[] = [];
  for (const gt of gts) {
    const pred = predNames.has(gt) ? gt : predByKey.get(caseKey(gt));
    if (pred === undefined || used.has(pred)) {
      throw fileError(join(gtDir, gt), `no prediction for case "${caseKey(gt)}" in ${predDir}`);
    }
    used.add(pred);
    pairs.push({ case: caseKey(gt), pred: join(predDir, pred), gt: join(gtDir, gt) });
  }
  return { pairs, unmatchedPreds: preds.filter((p) => !used.has(p)).map((p) => join(predDir, p)) };
}
