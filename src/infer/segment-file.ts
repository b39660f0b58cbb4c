/**
 * `mosmos segment` as a library function: read a NIfTI file or DICOM series (for a multi-channel
 * model one per channel, or a case folder: see model-input.ts), segment it with a fine-tuned run, and
 * write the label map on the input's grid (NIfTI, or a DICOM SEG referencing the input series), the
 * label names beside it (`<out>.json`) and optionally per-organ statistics.
 * Every output is checked for writability before the work starts, and written atomically.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileError, InputError } from '../errors.js';
import { assertWritable, type PendingFile, writeFilesAtomic } from '../files/atomic-write.js';
import { niftiFileParts } from '../io/nifti/file.js';
import type { Volume } from '../volume/volume.js';
import { readModelInfo } from './model-description.js';
import { readModelInput, resolveModelInput } from './model-input.js';
import { type OrganStatistics, organStatistics } from './organ-statistics.js';
import { type SegmentOptions, segmentVolume } from './segment.js';
import { loadSegmentationModel } from './segmentation-model.js';

export interface SegmentFileOptions extends SegmentOptions {
  outputType?: 'nifti' | 'dicom-seg';
  /** Where to write per-organ volume (mL) and mean intensity as JSON. */
  stats?: string;
  force?: boolean;
  /** Series of a DICOM folder holding several. */
  series?: string;
  /** Frame (0-based) of a 4D input to a one-channel model; a 4D input without it is refused. */
  frame?: number;
}

export interface SegmentFileResult {
  labelMap: Volume<Uint8Array>;
  labels: Record<string, string>;
  statistics?: OrganStatistics[];
  written: string[];
}

/** `<out>.json` beside `seg.nii.gz` is `seg.json`; beside `seg.dcm` it is `seg.json`. */
export function labelsJsonPath(out: string): string {
  return `${out.replace(/(\.nii\.gz|\.nii|\.dcm)$/i, '')}.json`;
}

/** NIfTI's description holds 80 bytes: as many "value=name" pairs as fit. */
function description(labels: Record<string, string>): string {
  let text = 'mosmos labels:';
  for (const [value, name] of Object.entries(labels)) {
    if (value === '0') continue;
    const item = ` ${value}=${name.replace(/\s+/g, '_')}`;
    if (text.length + item.length > 79) break;
    text += item;
  }
  return text;
}

/**
 * Segments `input` (one path, or one per channel of a multi-channel model) with the run in
 * `modelDir` (or an ensemble of runs, their probabilities averaged) and writes `out`.
 * @example await segmentFile('ct.nii.gz', 'runs/ft', 'seg.nii.gz', { tta: true, postprocess: 'lcc' });
 * @example await segmentFile('BraTS2021_00000/', 'runs/brats', 'seg.nii.gz'); // t1, t1ce, t2, flair
 */
export async function segmentFile(
  input: string | readonly string[],
  modelDir: string | readonly string[],
  out: string,
  options: SegmentFileOptions = {},
): Promise<SegmentFileResult> {
  const modelDirs = typeof modelDir === 'string' ? [modelDir] : [...modelDir];
  const outputType = options.outputType ?? 'nifti';
  const given = typeof input === 'string' ? [input] : [...input];
  const folders = given.map((path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      throw fileError(path, 'no such file or folder');
    }
  });
  const paths = resolveModelInput(given, readModelInfo(modelDirs[0]!));
  // A case folder resolves to its channel files; a folder still given as is is a DICOM series.
  const isDicom = folders[0]! && paths[0] === given[0];
  if (outputType === 'dicom-seg' && !isDicom)
    throw new InputError(`${given[0]}: --output-type dicom-seg needs a DICOM series folder as input`);
  const jsonPath = labelsJsonPath(out);
  const outputs = [out, jsonPath, ...(options.stats ? [options.stats] : [])];
  assertOutputsUsable([...given, ...paths], outputs, options);
  const models = [];
  for (const dir of modelDirs) models.push(await loadSegmentationModel(dir));
  const image = await readModelInput(paths, models[0]!.info, options);
  const labelMap = segmentVolume(image, models, options);
  const labels = models[0]!.info.labels;
  // Every output is built in memory, then all are written together or none is.
  const files: PendingFile[] = [];
  if (outputType === 'dicom-seg') {
    const { dicomSegBytes } = await import('../io/dicom/seg-write.js');
    const present = new Set(labelMap.data);
    const segments = Object.entries(labels)
      .map(([value, name]) => ({ label: Number(value), name }))
      .filter((s) => s.label !== 0 && present.has(s.label));
    if (segments.length === 0)
      throw new InputError(`${given[0]}: no organ was found, so there is no segment to write`);
    const data = await dicomSegBytes(labelMap, paths[0]!, segments, {
      series: options.series,
      algorithmName: 'mosmos',
      seriesDescription: 'mosmos segmentation',
    });
    files.push({ path: out, data });
  } else {
    const data = await niftiFileParts(out, labelMap, { datatype: 'uint8', description: description(labels) });
    files.push({ path: out, data });
  }
  files.push({ path: jsonPath, data: `${JSON.stringify({ labels }, null, 2)}\n` });
  let statistics: OrganStatistics[] | undefined;
  if (options.stats) {
    statistics = organStatistics(labelMap, image, labels);
    files.push({ path: options.stats, data: `${JSON.stringify({ organs: statistics }, null, 2)}\n` });
  }
  writeFilesAtomic(files, { force: options.force ?? false });
  return { labelMap, labels, statistics, written: files.map((f) => f.path) };
}

// Checked before the (long) inference: every output's folder exists, none would replace an existing
// file without --force, and none is the input itself (not even with --force).
function assertOutputsUsable(inputs: string[], outputs: string[], options: SegmentFileOptions): void {
  for (const path of outputs) {
    if (inputs.some((input) => resolve(path) === resolve(input)))
      throw fileError(path, 'is the input; choose another output (segment never overwrites its input)');
    const folder = dirname(resolve(path));
    let isFolder = false;
    try {
      isFolder = statSync(folder).isDirectory();
    } catch {
      throw fileError(path, `its folder ${dirname(path)} does not exist`);
    }
    if (!isFolder) throw fileError(path, `${dirname(path)} is not a folder`);
    if (isDirectory(path)) throw fileError(path, 'is a folder; expected a file name');
    assertWritable(path, options);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
