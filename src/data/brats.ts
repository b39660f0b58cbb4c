/**
 * BraTS (brain tumour, multi-parametric MRI): one folder per case, e.g.
 * `BraTS2021_00000/BraTS2021_00000_{t1,t1ce,t2,flair,seg}.nii.gz` (or the older
 * `BraTS20_Training_001/BraTS20_Training_001_…` naming), possibly inside the download's
 * `…TrainingData/` folder. Labels: 1 necrotic/non-enhancing core, 2 oedema, 4 enhancing tumour; the
 * challenge scores the overlapping regions ET = {4}, TC = {1, 4}, WT = {1, 2, 4}.
 */
import { join, resolve } from 'node:path';
import { fileError } from '../errors.js';
import { type Volume, voxelCount, withVoxels } from '../volume/volume.js';
import type { Dataset, DatasetCase, DatasetProblem } from './dataset.js';
import { isDirectory, listDirectory } from './nifti-files.js';

export const BRATS_LABELS: Record<number, string> = {
  0: 'background',
  1: 'necrotic tumour core',
  2: 'peritumoral oedema',
  4: 'enhancing tumour',
};

/** The four MRI sequences in channel order. */
export const BRATS_MODALITIES: readonly string[] = ['t1', 't1ce', 't2', 'flair'];

/** The evaluated tumour regions and the raw labels each one unites. */
export const BRATS_REGIONS: Record<'ET' | 'TC' | 'WT', { name: string; labels: number[] }> = {
  ET: { name: 'enhancing tumour', labels: [4] },
  TC: { name: 'tumour core', labels: [1, 4] },
  WT: { name: 'whole tumour', labels: [1, 2, 4] },
};

/** The three overlapping region masks (0/1 uint8 on the label map's grid) of a BraTS label map. */
export function bratsRegions(labelMap: Volume): { ET: Volume; TC: Volume; WT: Volume } {
  const n = voxelCount(labelMap);
  const et = new Uint8Array(n);
  const tc = new Uint8Array(n);
  const wt = new Uint8Array(n);
  const data = labelMap.data;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v === 0) continue;
    if (v === 4) et[i] = 1;
    if (v === 1 || v === 4) tc[i] = 1;
    if (v === 1 || v === 2 || v === 4) wt[i] = 1;
  }
  return {
    ET: withVoxels(labelMap, et, 'uint8'),
    TC: withVoxels(labelMap, tc, 'uint8'),
    WT: withVoxels(labelMap, wt, 'uint8'),
  };
}

/** Whether `folder` is one BraTS case: it holds `<folder name>_flair.nii(.gz)`. */
function isCaseFolder(folder: string, name: string): boolean {
  return listDirectory(folder).some(
    (file) => file === `${name}_flair.nii.gz` || file === `${name}_flair.nii`,
  );
}

/** The case folders under `dir` (its subfolders, or those one level deeper). */
function caseFolders(dir: string): { path: string; name: string }[] {
  const direct = listDirectory(dir)
    .map((name) => ({ path: join(dir, name), name }))
    .filter((f) => isDirectory(f.path));
  const cases = direct.filter((f) => isCaseFolder(f.path, f.name));
  if (cases.length > 0) return cases;
  return direct.flatMap((parent) =>
    listDirectory(parent.path)
      .map((name) => ({ path: join(parent.path, name), name }))
      .filter((f) => isDirectory(f.path) && isCaseFolder(f.path, f.name)),
  );
}

/** Whether a folder holds BraTS case folders. */
export function isBratsFolder(dir: string): boolean {
  return caseFolders(dir).length > 0;
}

/** The file of `suffix` in a case folder (.nii.gz preferred), or undefined. */
function caseFile(folder: string, name: string, suffix: string, files: Set<string>): string | undefined {
  for (const ext of ['.nii.gz', '.nii'])
    if (files.has(`${name}_${suffix}${ext}`)) return join(folder, `${name}_${suffix}${ext}`);
  return undefined;
}

/** Lists a BraTS folder (see the file comment). */
export function openBrats(dir: string): Dataset {
  const root = resolve(dir);
  const folders = caseFolders(root);
  if (folders.length === 0) {
    throw fileError(
      dir,
      'not a BraTS folder (expected case folders like BraTS2021_00000/BraTS2021_00000_flair.nii.gz)',
    );
  }
  const problems: DatasetProblem[] = [];
  const cases: DatasetCase[] = [];
  for (const folder of folders) {
    const files = new Set(listDirectory(folder.path));
    const images: string[] = [];
    for (const modality of BRATS_MODALITIES) {
      const file = caseFile(folder.path, folder.name, modality, files);
      if (file) images.push(file);
      else problems.push({ file: folder.path, problem: `missing ${folder.name}_${modality}.nii.gz` });
    }
    const label = caseFile(folder.path, folder.name, 'seg', files);
    const known = new Set(
      [...BRATS_MODALITIES, 'seg'].flatMap((s) => [`${folder.name}_${s}.nii.gz`, `${folder.name}_${s}.nii`]),
    );
    for (const file of files)
      if (!known.has(file)) problems.push({ file: join(folder.path, file), problem: 'unexpected file' });
    if (images.length < BRATS_MODALITIES.length) continue;
    cases.push({ id: folder.name, images, ...(label ? { label } : { split: 'test' as const }) });
  }
  // Validation downloads have no segmentations at all; a training set missing a few is a problem.
  if (cases.some((c) => c.label !== undefined)) {
    for (const c of cases) {
      if (c.label === undefined)
        problems.push({ file: join(c.images[0]!, '..'), problem: `missing ${c.id}_seg.nii.gz` });
    }
  }
  cases.sort((a, b) => a.id.localeCompare(b.id));
  return {
    format: 'brats',
    root,
    cases,
    labels: { ...BRATS_LABELS },
    modalities: [...BRATS_MODALITIES],
    problems,
  };
}
