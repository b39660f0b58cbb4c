/**
 * Medical Segmentation Decathlon and nnU-Net folders: a `dataset.json` beside `imagesTr/`,
 * `labelsTr/` and `imagesTs/`.
 *
 * - MSD / nnU-Net v1: `labels` maps "value" → name, `modality` names the channels, `training`
 *   lists `{image, label}` paths. A listed `imagesTr/case.nii.gz` may be stored as one 4D file
 *   (MSD) or as per-channel files `case_0000.nii.gz`, `case_0001.nii.gz` … (nnU-Net v1).
 * - nnU-Net v2: `labels` maps name → value, `channel_names` names the channels, `file_ending`
 *   gives the extension, and cases are the `imagesTr/<case>_<XXXX><ending>` files themselves.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileError } from '../errors.js';
import type { Dataset, DatasetCase, DatasetProblem } from './dataset.js';
import { isFile, listDirectory, stripNiftiExtension } from './nifti-files.js';

interface DatasetJson {
  labels?: Record<string, unknown>;
  modality?: Record<string, string>;
  channel_names?: Record<string, string>;
  training?: { image?: string; label?: string }[];
  test?: (string | { image?: string })[];
  file_ending?: string;
  numTraining?: number;
}

function readDatasetJson(path: string): DatasetJson {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw fileError(path, 'no dataset.json (an MSD / nnU-Net folder needs one)');
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('expected an object');
    return json as DatasetJson;
  } catch (error) {
    throw fileError(path, `not valid JSON (${(error as Error).message})`);
  }
}

/** The label table of either dataset.json flavour: {"1": "liver"} (MSD) or {"liver": 1} (nnU-Net v2). */
function labelTable(json: DatasetJson, path: string): Record<number, string> {
  const labels: Record<number, string> = { 0: 'background' };
  for (const [key, value] of Object.entries(json.labels ?? {})) {
    if (typeof value === 'string' && /^\d+$/.test(key)) labels[Number(key)] = value;
    else if (typeof value === 'number' && Number.isInteger(value)) labels[value] = key;
    else
      throw fileError(
        path,
        `labels: unsupported entry "${key}": ${JSON.stringify(value)} (region-based labels are not supported)`,
      );
  }
  return labels;
}

/** Channel names ordered by their index keys. */
function channelNames(json: DatasetJson): string[] {
  const table = json.channel_names ?? json.modality ?? { 0: 'image' };
  return Object.entries(table)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, name]) => name);
}

/** nnU-Net's per-channel file names: `case_0000.nii.gz` … */
function channelFiles(dir: string, id: string, channels: number, ending: string): string[] {
  return Array.from({ length: channels }, (_, c) =>
    join(dir, `${id}_${String(c).padStart(4, '0')}${ending}`),
  );
}

/** The image files of a listed `imagesTr/case.nii.gz`: the file itself, or its per-channel files. */
function listedImages(root: string, listed: string, channels: number): string[] | null {
  const path = resolve(root, listed);
  if (isFile(path)) return [path];
  const ending = listed.slice(stripNiftiExtension(listed).length) || '.nii.gz';
  const perChannel = channelFiles(join(path, '..'), stripNiftiExtension(basename(listed)), channels, ending);
  return perChannel.every(isFile) ? perChannel : null;
}

/** Cases from nnU-Net v2 file names: `<case>_<XXXX><ending>` grouped by case. */
function scanChannelFiles(
  dir: string,
  ending: string,
  channels: number,
  problems: DatasetProblem[],
): Map<string, string[]> {
  const byCase = new Map<string, string[]>();
  for (const name of listDirectory(dir)) {
    const match = name.endsWith(ending) ? /^(.*)_(\d{4})$/.exec(name.slice(0, -ending.length)) : null;
    if (!match) {
      problems.push({ file: join(dir, name), problem: `unexpected file (expected <case>_0000${ending})` });
      continue;
    }
    const files = byCase.get(match[1]!) ?? [];
    files.push(join(dir, name));
    byCase.set(match[1]!, files);
  }
  for (const [id, files] of byCase) {
    const expected = channelFiles(dir, id, channels, ending);
    if (expected.some((f) => !files.includes(f))) {
      problems.push({
        file: files.sort()[0]!,
        problem: `expected ${channels} channel file(s) ${id}_0000${ending} …`,
      });
      byCase.delete(id);
    }
  }
  return byCase;
}

/** Lists an MSD or nnU-Net folder (see the file comment). */
export function openMsd(dir: string): Dataset {
  const root = resolve(dir);
  const jsonPath = join(root, 'dataset.json');
  const json = readDatasetJson(jsonPath);
  const labels = labelTable(json, jsonPath);
  const modalities = channelNames(json);
  const problems: DatasetProblem[] = [];
  const cases: DatasetCase[] = [];
  const used = new Set<string>();

  if (Array.isArray(json.training)) {
    for (const entry of json.training) {
      if (typeof entry?.image !== 'string') {
        problems.push({
          file: jsonPath,
          problem: `training entry without an image path: ${JSON.stringify(entry)}`,
        });
        continue;
      }
      const images = listedImages(root, entry.image, modalities.length);
      const label = typeof entry.label === 'string' ? resolve(root, entry.label) : undefined;
      if (images === null) {
        problems.push({
          file: resolve(root, entry.image),
          problem: 'listed in dataset.json (training) but not on disk',
        });
        continue;
      }
      if (label !== undefined && !isFile(label)) {
        problems.push({ file: label, problem: 'listed in dataset.json (training) but not on disk' });
      }
      for (const f of [...images, label]) if (f) used.add(f);
      const id = stripNiftiExtension(basename(entry.label ?? entry.image));
      cases.push({ id, images, ...(label && isFile(label) ? { label } : {}), split: 'train' });
    }
    for (const folder of ['imagesTr', 'labelsTr']) {
      for (const name of listDirectory(join(root, folder))) {
        const file = join(root, folder, name);
        if (!used.has(file)) problems.push({ file, problem: 'not listed in dataset.json' });
      }
    }
  } else {
    const ending = json.file_ending ?? '.nii.gz';
    const byCase = scanChannelFiles(join(root, 'imagesTr'), ending, modalities.length, problems);
    const labelFiles = new Set(listDirectory(join(root, 'labelsTr')));
    for (const [id, images] of byCase) {
      const hasLabel = labelFiles.delete(`${id}${ending}`);
      if (!hasLabel) problems.push({ file: images[0]!, problem: `no label file labelsTr/${id}${ending}` });
      cases.push({
        id,
        images: images.sort(),
        ...(hasLabel ? { label: join(root, 'labelsTr', `${id}${ending}`) } : {}),
        split: 'train',
      });
    }
    for (const name of labelFiles)
      problems.push({ file: join(root, 'labelsTr', name), problem: 'no image for this label' });
  }

  // Test images: listed (MSD) or found in imagesTs/; they have no labels.
  const testIds = new Set(cases.map((c) => c.id));
  const listedTests = Array.isArray(json.test) ? json.test : [];
  for (const entry of listedTests) {
    const path = typeof entry === 'string' ? entry : entry?.image;
    if (typeof path !== 'string') continue;
    const images = listedImages(root, path, modalities.length);
    if (images === null) {
      problems.push({ file: resolve(root, path), problem: 'listed in dataset.json (test) but not on disk' });
      continue;
    }
    const id = stripNiftiExtension(basename(path));
    if (!testIds.has(id)) cases.push({ id, images, split: 'test' });
  }
  if (listedTests.length === 0 && !Array.isArray(json.training)) {
    const ending = json.file_ending ?? '.nii.gz';
    for (const [id, images] of scanChannelFiles(
      join(root, 'imagesTs'),
      ending,
      modalities.length,
      problems,
    )) {
      cases.push({ id, images: images.sort(), split: 'test' });
    }
  }
  if (cases.length === 0) problems.push({ file: jsonPath, problem: 'no cases found' });
  const training = cases.filter((c) => c.split === 'train').length;
  if (typeof json.numTraining === 'number' && json.numTraining !== training) {
    problems.push({
      file: jsonPath,
      problem: `numTraining is ${json.numTraining} but ${training} training cases were found`,
    });
  }
  cases.sort((a, b) => a.id.localeCompare(b.id));
  return { format: 'msd', root, cases, labels, modalities, problems };
}
