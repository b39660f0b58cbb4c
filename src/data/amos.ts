/**
 * AMOS 2022 (abdominal multi-organ, CT and MRI): `imagesTr/amos_0001.nii.gz` with the same name in
 * `labelsTr/`, validation in `imagesVa/` + `labelsVa/`, test images in `imagesTs/`, and a
 * `dataset.json` listing them. Case numbers up to 500 are CT, above 500 MRI.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileError } from '../errors.js';
import type { Dataset, DatasetCase, DatasetProblem, DatasetSplit } from './dataset.js';
import { isDirectory, isFile, listDirectory, stripNiftiExtension } from './nifti-files.js';

/** The 15 AMOS organs by label value (dataset.json's names, with its typos corrected). */
export const AMOS_LABELS: Record<number, string> = {
  0: 'background',
  1: 'spleen',
  2: 'right kidney',
  3: 'left kidney',
  4: 'gallbladder',
  5: 'esophagus',
  6: 'liver',
  7: 'stomach',
  8: 'aorta',
  9: 'postcava',
  10: 'pancreas',
  11: 'right adrenal gland',
  12: 'left adrenal gland',
  13: 'duodenum',
  14: 'bladder',
  15: 'prostate/uterus',
};

/** AMOS numbers its CT cases 1–500 and its MRI cases above 500. */
export function amosModality(id: string): 'ct' | 'mr' {
  const number = Number(/(\d+)$/.exec(id)?.[1] ?? Number.NaN);
  return number > 500 ? 'mr' : 'ct';
}

const SPLIT_FOLDERS: { split: DatasetSplit; images: string; labels: string; labelled: boolean }[] = [
  { split: 'train', images: 'imagesTr', labels: 'labelsTr', labelled: true },
  { split: 'validation', images: 'imagesVa', labels: 'labelsVa', labelled: true },
  { split: 'test', images: 'imagesTs', labels: 'labelsTs', labelled: false },
];

/** Whether a folder looks like AMOS: imagesTr/ holding amos_NNNN files. */
export function isAmosFolder(dir: string): boolean {
  return listDirectory(join(dir, 'imagesTr')).some((name) => /^amos_\d+\.nii(\.gz)?$/i.test(name));
}

/** Paths listed in dataset.json that are not on disk. */
function missingListedFiles(root: string): DatasetProblem[] {
  const jsonPath = join(root, 'dataset.json');
  if (!isFile(jsonPath)) return [];
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    return [{ file: jsonPath, problem: `not valid JSON (${(error as Error).message})` }];
  }
  const problems: DatasetProblem[] = [];
  for (const key of ['training', 'validation', 'test']) {
    const entries = json[key];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const paths: unknown[] =
        typeof entry === 'string' ? [entry] : entry && typeof entry === 'object' ? Object.values(entry) : [];
      for (const path of paths) {
        if (typeof path === 'string' && !isFile(join(root, path))) {
          problems.push({
            file: join(root, path),
            problem: `listed in dataset.json (${key}) but not on disk`,
          });
        }
      }
    }
  }
  return problems;
}

/** Lists an AMOS folder (see the file comment). */
export function openAmos(dir: string): Dataset {
  const root = resolve(dir);
  if (!isDirectory(join(root, 'imagesTr')) && !isDirectory(join(root, 'imagesVa'))) {
    throw fileError(dir, 'not an AMOS folder (expected imagesTr/, labelsTr/, imagesVa/ …)');
  }
  const problems: DatasetProblem[] = [];
  const cases: DatasetCase[] = [];
  for (const folder of SPLIT_FOLDERS) {
    const imageDir = join(root, folder.images);
    const labelDir = join(root, folder.labels);
    const images = new Set(listDirectory(imageDir));
    const labels = new Set(listDirectory(labelDir));
    for (const name of images) {
      const id = stripNiftiExtension(name);
      if (id === name || !/^amos_\d+$/i.test(id)) {
        problems.push({ file: join(imageDir, name), problem: 'unexpected file (expected amos_NNNN.nii.gz)' });
        continue;
      }
      const hasLabel = labels.has(name);
      if (!hasLabel && folder.labelled) {
        problems.push({ file: join(imageDir, name), problem: `no label file ${folder.labels}/${name}` });
      }
      cases.push({
        id,
        images: [join(imageDir, name)],
        ...(hasLabel ? { label: join(labelDir, name) } : {}),
        split: folder.split,
        modality: amosModality(id),
      });
    }
    for (const name of labels) {
      if (!images.has(name))
        problems.push({ file: join(labelDir, name), problem: `no image file ${folder.images}/${name}` });
    }
  }
  problems.push(...missingListedFiles(root));
  cases.sort((a, b) => a.id.localeCompare(b.id));
  const kinds = new Set(cases.map((c) => c.modality));
  const modalities = kinds.size === 1 ? [kinds.has('mr') ? 'MR' : 'CT'] : ['CT|MR'];
  return { format: 'amos', root, cases, labels: { ...AMOS_LABELS }, modalities, problems };
}
