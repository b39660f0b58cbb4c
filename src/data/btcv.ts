/**
 * BTCV (Multi-Atlas Labeling Beyond the Cranial Vault, MICCAI 2015 abdomen): `img/img0001.nii.gz`
 * with `label/label0001.nii.gz`, either at the given folder or under the `RawData/Training/`
 * nesting of the download (whose sibling `RawData/Testing/img/` holds the unlabelled test cases),
 * or the tutorials' copy with the same file names in `imagesTr/`, `labelsTr/`, `imagesTs/`.
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

/** Where a BTCV copy keeps its labelled images, labels and unlabelled test images. */
export interface BtcvLayout {
  root: string;
  imageDir: string;
  labelDir: string;
  testDir?: string;
}

/**
 * The BTCV layout at `dir`: `img/` + `label/` (the folder itself, or its `RawData/Training/`
 * with test images in `RawData/Testing/img/`), or the `imagesTr/img0001.nii.gz` +
 * `labelsTr/label0001.nii.gz` + `imagesTs/` copy used by the MONAI/UNETR tutorials; null if none.
 */
export function findBtcvLayout(dir: string): BtcvLayout | null {
  for (const candidate of [dir, join(dir, 'RawData', 'Training'), join(dir, 'Training')]) {
    if (isDirectory(join(candidate, 'img')) && isDirectory(join(candidate, 'label'))) {
      const root = resolve(candidate);
      const testDir = join(root, '..', 'Testing', 'img');
      return {
        root,
        imageDir: join(root, 'img'),
        labelDir: join(root, 'label'),
        ...(candidate !== dir && isDirectory(testDir) ? { testDir } : {}),
      };
    }
  }
  const tutorial = listDirectory(join(dir, 'imagesTr')).some((name) => /^img\d+\.nii(\.gz)?$/i.test(name));
  if (tutorial && isDirectory(join(dir, 'labelsTr'))) {
    const root = resolve(dir);
    return {
      root,
      imageDir: join(root, 'imagesTr'),
      labelDir: join(root, 'labelsTr'),
      ...(isDirectory(join(root, 'imagesTs')) ? { testDir: join(root, 'imagesTs') } : {}),
    };
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
  const layout = findBtcvLayout(dir);
  if (layout === null) {
    throw fileError(
      dir,
      'not a BTCV folder (expected img/ and label/, RawData/Training/…, or imagesTr/img0001.nii.gz)',
    );
  }
  const problems: DatasetProblem[] = [];
  const images = numberedFiles(layout.imageDir, 'img', problems);
  const labels = numberedFiles(layout.labelDir, 'label', problems);
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
  if (layout.testDir) {
    for (const [id, image] of numberedFiles(layout.testDir, 'img', problems)) {
      cases.push({ id: `test${id}`, images: [image], split: 'test' });
    }
  }
  cases.sort((a, b) => a.id.localeCompare(b.id));
  return {
    format: 'btcv',
    root: layout.root,
    cases,
    labels: { ...BTCV_LABELS },
    modalities: ['CT'],
    problems,
  };
}
