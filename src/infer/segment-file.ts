/**
 * `mosmos segment` as a library function: read a NIfTI file or DICOM series, segment it with a
 * fine-tuned run, and write the label map on the input's grid (NIfTI, or a DICOM SEG referencing the
 * input series), the label names beside it (`<out>.json`) and optionally per-organ statistics.
 * Every output is checked for writability before the work starts, and written atomically.
 */
import { statSync } from 'node:fs';
import { fileError, InputError } from '../errors.js';
import { assertWritable, writeFileAtomic } from '../io/atomic-write.js';
import { writeNifti } from '../io/nifti/index.js';
import { readVolume } from '../io/read-volume.js';
import type { Volume } from '../volume/volume.js';
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
 * Segments `input` with the run in `modelDir` and writes `out`.
 * @example await segmentFile('ct.nii.gz', 'runs/ft', 'seg.nii.gz', { tta: true, postprocess: 'lcc' });
 */
export async function segmentFile(
  input: string,
  modelDir: string,
  out: string,
  options: SegmentFileOptions = {},
): Promise<SegmentFileResult> {
  const outputType = options.outputType ?? 'nifti';
  const isDicom = (() => {
    try {
      return statSync(input).isDirectory();
    } catch {
      throw fileError(input, 'no such file or folder');
    }
  })();
  if (outputType === 'dicom-seg' && !isDicom)
    throw new InputError(`${input}: --output-type dicom-seg needs a DICOM series folder as input`);
  const jsonPath = labelsJsonPath(out);
  for (const path of [out, jsonPath, ...(options.stats ? [options.stats] : [])])
    assertWritable(path, options);
  const model = await loadSegmentationModel(modelDir);
  const image = await readVolume(input, options.series ? { series: options.series } : {});
  const labelMap = segmentVolume(image, model, options);
  const labels = model.info.labels;
  const written: string[] = [];
  if (outputType === 'dicom-seg') {
    const { writeDicomSeg } = await import('../io/dicom/seg-write.js');
    const present = new Set(labelMap.data);
    const segments = Object.entries(labels)
      .map(([value, name]) => ({ label: Number(value), name }))
      .filter((s) => s.label !== 0 && present.has(s.label));
    if (segments.length === 0)
      throw new InputError(`${input}: no organ was found, so there is no segment to write`);
    await writeDicomSeg(out, labelMap, input, segments, {
      force: options.force,
      series: options.series,
      algorithmName: 'mosmos',
      seriesDescription: 'mosmos segmentation',
    });
  } else {
    await writeNifti(out, labelMap, {
      force: options.force,
      datatype: 'uint8',
      description: description(labels),
    });
  }
  written.push(out);
  writeFileAtomic(jsonPath, `${JSON.stringify({ labels }, null, 2)}\n`, { force: options.force });
  written.push(jsonPath);
  let statistics: OrganStatistics[] | undefined;
  if (options.stats) {
    statistics = organStatistics(labelMap, image, labels);
    writeFileAtomic(options.stats, `${JSON.stringify({ organs: statistics }, null, 2)}\n`, {
      force: options.force,
    });
    written.push(options.stats);
  }
  return { labelMap, labels, statistics, written };
}
