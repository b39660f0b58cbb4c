/**
 * BTCV (Multi-Atlas Labeling Beyond the Cranial Vault, MICCAI 2015 abdomen): `img/img0001.nii.gz`
 * with `label/label0001.nii.gz`, either at the given folder or under the `RawData/Training/`
 * nesting of the download (whose sibling `RawData/Testing/img/` holds the unlabelled test cases).
 */
import { join, resolve } from 'node:path';
import { fileError } from '../errors.js';
import type { Dataset, DatasetCase, DatasetProblem } from './dataset.js';
import { isDirectory, listDirectory, stripNiftiExtension } from './nifti-files.js';

/** The 13 BTCV organs by label value. */
export const BTCV_LABELS: Record<number, string> = {
  0: 'background',
  1: 'spleen',
  2: 'right kidney',
  3: 'left kidney',
  4: 'gallbladder',
  5: 'esophagus',
  6: 'liver',
  7: 'stomach',
  8: 'aorta',
  9: 'inferior vena cava',
  10: 'portal and splenic vein',
  11: 'pancreas',
  12: 'right adrenal gland',
  13: 'left adrenal gland',
};

/** The six validation cases of the widely used 24/6 split of the 30 labelled cases (UNETR, Swin UNETR). */
export const BTCV_VALIDATION_IDS: readonly string[] = ['0035', '0036', '0037', '0038', '0039', '0040'];

/** The folder holding `img/` and `label/` (the given one, or its RawData/Training), or null. */
export function findBtcvTrainingRoot(dir: string): string | null {
  for (const candidate of [dir, join(dir, 'RawData', 'Training'), join(dir, 'Training')]) {
    if (isDirectory(join(candidate, 'img')) && isDirectory(join(candidate, 'label'))) return resolve(candidate);
  }
  return null;
}

/** Case numbers of the files in `dir` named `<prefix>NNNN.nii(.gz)`; other files become problems. */
function numberedFiles(dir: string, prefix: string, problems: DatasetProblem[]): Map<string, string> {
  const files = new Map<string, string>();
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  for (const name of listDirectory(dir)) {
    const match = pattern.exec(stripNiftiExtension(name));
    if (match && name !== stripNiftiExtension(name)) files.set(match[1]!, join(dir, name));
    else problems.push({ file: join(dir, name), problem: `unexpected file (expected ${prefix}NNNN.nii.gz)` });
  }
  return files;
}

/** Lists a BTCV folder (see the file comment). */
export function openBtcv(dir: string): Dataset {
  const root = findBtcvTrainingRoot(dir);
  if (root === null) {
    throw fileError(dir, 'not a BTCV folder (expected img/ and label/, or RawData/Training/img and label)');
  }
  const problems: DatasetProblem[] = [];
  const images = numberedFiles(join(root, 'img'), 'img', problems);
  const labels = numberedFiles(join(root, 'label'), 'label', problems);
  const cases: DatasetCase[] = [];
  for (const [id, image] of images) {
    const label = labels.get(id);
    if (label === undefined) problems.push({ file: image, problem: `no label file label${id}.nii.gz` });
    cases.push({
      id,
      images: [image],
      ...(label ? { label } : {}),
      split: BTCV_VALIDATION_IDS.includes(id) ? 'validation' : 'train',
    });
  }
  for (const [id, label] of labels) {
    if (!images.has(id)) problems.push({ file: label, problem: `no image file img${id}.nii.gz` });
  }
  // The download's unlabelled test images sit beside Training/.
  const testDir = join(root, '..', 'Testing', 'img');
  if (isDirectory(testDir) && root.endsWith('Training')) {
    for (const [id, image] of numberedFiles(testDir, 'img', problems)) {
      cases.push({ id: `test${id}`, images: [image], split: 'test' });
    }
  }
  cases.sort((a, b) => a.id.localeCompare(b.id));
  return { format: 'btcv', root, cases, labels: { ...BTCV_LABELS }, modalities: ['CT'], problems };
}
