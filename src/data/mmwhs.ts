/**
 * MM-WHS 2017 (multi-modality whole heart): `ct_train_1001_image.nii.gz` with
 * `ct_train_1001_label.nii.gz` (and `mr_train_…`, unlabelled `…_test_…`), either in one folder or
 * in the `ct_train/`, `mr_train/`, `ct_test/` … folders of the download. Label files store the
 * challenge's values 205, 420, 500, 550, 600, 820, 850, remapped here to 1…7.
 */
import { join, resolve } from 'node:path';
import { fileError } from '../errors.js';
import type { Dataset, DatasetCase, DatasetProblem } from './dataset.js';
import { isDirectory, listDirectory, stripNiftiExtension } from './nifti-files.js';

/** The seven MM-WHS structures by remapped label value. */
export const MMWHS_LABELS: Record<number, string> = {
  0: 'background',
  1: 'left ventricle myocardium',
  2: 'left atrium blood cavity',
  3: 'left ventricle blood cavity',
  4: 'right atrium blood cavity',
  5: 'right ventricle blood cavity',
  6: 'ascending aorta',
  7: 'pulmonary artery',
};

/**
 * Raw MM-WHS label value → remapped value, in ascending raw order: 205 myocardium, 420 left
 * atrium, 500 left ventricle, 550 right atrium, 600 right ventricle, 820 ascending aorta,
 * 850 pulmonary artery (the challenge's label definition).
 */
export const MMWHS_REMAP: Record<number, number> = { 205: 1, 420: 2, 500: 3, 550: 4, 600: 5, 820: 6, 850: 7 };

const NAME = /^(ct|mr)_(train|test)_(\d+)_(image|label)$/i;

/** The folders that may hold MM-WHS files: the folder itself and its direct subfolders. */
function candidateFolders(root: string): string[] {
  return [
    root,
    ...listDirectory(root)
      .map((name) => join(root, name))
      .filter(isDirectory),
  ];
}

/** Whether a folder holds MM-WHS-named files (at the top or one level down). */
export function isMmwhsFolder(dir: string): boolean {
  return candidateFolders(dir).some((folder) =>
    listDirectory(folder).some(
      (name) => NAME.test(stripNiftiExtension(name)) && name !== stripNiftiExtension(name),
    ),
  );
}

/** Lists an MM-WHS folder (see the file comment). */
export function openMmwhs(dir: string): Dataset {
  const root = resolve(dir);
  if (!isDirectory(root)) throw fileError(dir, 'not a folder');
  const entries = new Map<string, { image?: string; label?: string; modality: string; split: string }>();
  for (const folder of candidateFolders(root)) {
    for (const name of listDirectory(folder)) {
      const match = NAME.exec(stripNiftiExtension(name));
      if (!match || name === stripNiftiExtension(name)) continue;
      const [, modality, split, number, kind] = match as unknown as [string, string, string, string, string];
      const id = `${modality.toLowerCase()}_${split.toLowerCase()}_${number}`;
      const entry = entries.get(id) ?? { modality: modality.toLowerCase(), split: split.toLowerCase() };
      entry[kind.toLowerCase() as 'image' | 'label'] = join(folder, name);
      entries.set(id, entry);
    }
  }
  if (entries.size === 0) {
    throw fileError(dir, 'not an MM-WHS folder (expected ct_train_1001_image.nii.gz / _label.nii.gz files)');
  }
  const problems: DatasetProblem[] = [];
  const cases: DatasetCase[] = [];
  for (const [id, entry] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.image === undefined) {
      problems.push({ file: entry.label!, problem: `no image file ${id}_image.nii.gz` });
      continue;
    }
    if (entry.label === undefined && entry.split === 'train') {
      problems.push({ file: entry.image, problem: `no label file ${id}_label.nii.gz` });
    }
    cases.push({
      id,
      images: [entry.image],
      ...(entry.label ? { label: entry.label } : {}),
      split: entry.split === 'test' ? 'test' : 'train',
      modality: entry.modality,
    });
  }
  const kinds = new Set(cases.map((c) => c.modality));
  const modalities = kinds.size === 1 ? [kinds.has('mr') ? 'MR' : 'CT'] : ['CT|MR'];
  return {
    format: 'mmwhs',
    root,
    cases,
    labels: { ...MMWHS_LABELS },
    modalities,
    labelRemap: { ...MMWHS_REMAP },
    problems,
  };
}
