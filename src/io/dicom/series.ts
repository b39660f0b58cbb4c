// A folder of DICOM files → one Volume: find the image instances, pick one series, sort its
// slices along the normal, decode and rescale the pixels, and build the voxel→RAS affine.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileError } from '../../errors.js';
import { type DataType, spacingFromAffine, type Volume } from '../../volume/volume.js';
import { warn } from '../../warnings.js';
import { frameGeometry, frameRescale, frameThickness } from './frame-geometry.js';
import { type SliceGeometry, StackError, stackSlices } from './geometry.js';
import { type DicomInstance, hasDicomPreamble, type NaturalDataset, parseDicom } from './instance.js';
import { decodeFrame, type PixelModule, pixelModule } from './pixels.js';

/** SOP classes that carry no image to stack (segmentations, structured reports, RT structures, …). */
const NON_IMAGE_SOP_CLASS_PREFIXES = [
  '1.2.840.10008.5.1.4.1.1.66', // segmentation, registration, fiducials
  '1.2.840.10008.5.1.4.1.1.88', // structured reports
  '1.2.840.10008.5.1.4.1.1.11', // presentation states
  '1.2.840.10008.5.1.4.1.1.481.3', // RT structure set
  '1.2.840.10008.5.1.4.1.1.104', // encapsulated PDF/CDA
];

/** One series found in a folder, as listed to a user choosing between several. */
export interface SeriesSummary {
  seriesInstanceUid: string;
  seriesNumber?: string;
  description: string;
  modality: string;
  /** Number of image frames (slices). */
  slices: number;
}

/** One slice of a loaded series, in the order of the volume's k axis. */
export interface SeriesSlice {
  path: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** Frame number within its instance (0-based; 0 for single-frame images). */
  frame: number;
}

/** A series with the identity of each slice, which a DICOM-SEG written on it must reference. */
export interface LoadedSeries {
  volume: Volume;
  slices: SeriesSlice[];
  /** The header of the first instance (patient, study, frame of reference …). */
  header: NaturalDataset;
}

export interface ReadSeriesOptions {
  /** SeriesInstanceUID (or SeriesNumber) of the series to read from a folder holding several. */
  series?: string;
}

/** Reads the one image series in `dir` (recursively) as a Volume in RAS mm, e.g. `await readDicomSeries('ct/')`. */
export async function readDicomSeries(dir: string, options: ReadSeriesOptions = {}): Promise<Volume> {
  return (await loadDicomSeries(dir, options)).volume;
}

/** Lists the image series in `dir` (recursively) without decoding pixels. */
export async function listDicomSeries(dir: string): Promise<SeriesSummary[]> {
  return [...groupBySeries(await readImageInstances(dir)).values()].map(summarize);
}

/** Like readDicomSeries, also returning each slice's SOP identity and the first header. */
export async function loadDicomSeries(dir: string, options: ReadSeriesOptions = {}): Promise<LoadedSeries> {
  const groups = groupBySeries(await readImageInstances(dir));
  let instances: DicomInstance[];
  if (options.series !== undefined) {
    const wanted = options.series;
    const match = [...groups.values()].find(
      (g) => text(g[0]!.dataset.SeriesInstanceUID) === wanted || text(g[0]!.dataset.SeriesNumber) === wanted,
    );
    if (!match) throw fileError(dir, `no series ${wanted}; found ${listSummaries(groups)}`);
    instances = match;
  } else if (groups.size > 1) {
    throw fileError(
      dir,
      `${groups.size} series found, pick one with --series <UID>: ${listSummaries(groups)}`,
    );
  } else {
    instances = [...groups.values()][0]!;
  }
  return assemble(dir, instances);
}

async function readImageInstances(dir: string): Promise<DicomInstance[]> {
  let files: string[];
  try {
    if (!(await stat(dir)).isDirectory())
      throw fileError(dir, 'not a folder (expected a folder of DICOM files)');
    files = await listFiles(dir);
  } catch (error) {
    if ((error as Error).name === 'InputError') throw error;
    throw fileError(
      dir,
      `cannot read folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (files.length === 0) throw fileError(dir, 'empty folder (no DICOM files)');
  const instances: DicomInstance[] = [];
  let dicomFiles = 0;
  for (const path of files) {
    const bytes = new Uint8Array(await readFile(path));
    if (!hasDicomPreamble(bytes)) continue;
    dicomFiles++;
    const instance = parseDicom(bytes, path);
    const sopClass = text(instance.dataset.SOPClassUID);
    if (!instance.pixelData || NON_IMAGE_SOP_CLASS_PREFIXES.some((p) => sopClass.startsWith(p))) continue;
    instances.push(instance);
  }
  if (dicomFiles === 0) throw fileError(dir, `no DICOM files among its ${files.length} files`);
  if (instances.length === 0) throw fileError(dir, `none of its ${dicomFiles} DICOM files is an image`);
  return instances;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name.toUpperCase() === 'DICOMDIR') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

function groupBySeries(instances: DicomInstance[]): Map<string, DicomInstance[]> {
  const groups = new Map<string, DicomInstance[]>();
  for (const instance of instances) {
    const uid = text(instance.dataset.SeriesInstanceUID) || '(no SeriesInstanceUID)';
    const group = groups.get(uid) ?? [];
    group.push(instance);
    groups.set(uid, group);
  }
  return groups;
}

function summarize(group: DicomInstance[]): SeriesSummary {
  const d = group[0]!.dataset;
  const number = text(d.SeriesNumber);
  return {
    seriesInstanceUid: text(d.SeriesInstanceUID),
    ...(number ? { seriesNumber: number } : {}),
    description: text(d.SeriesDescription),
    modality: text(d.Modality),
    slices: group.reduce((n, i) => n + Number(i.dataset.NumberOfFrames ?? 1), 0),
  };
}

function listSummaries(groups: Map<string, DicomInstance[]>): string {
  return [...groups.values()]
    .map(summarize)
    .map(
      (s) =>
        `${s.seriesInstanceUid} ("${s.description || s.modality || 'no description'}", ${s.slices} slices)`,
    )
    .join('; ');
}

interface FrameRef {
  instance: DicomInstance;
  frame: number;
  geometry: SliceGeometry;
}

async function assemble(dir: string, instances: DicomInstance[]): Promise<LoadedSeries> {
  const modules = new Map<DicomInstance, PixelModule>();
  const frames: FrameRef[] = [];
  assertOneFrameOfReference(dir, instances);
  for (const instance of instances) {
    const module = pixelModule(instance);
    modules.set(instance, module);
    for (let frame = 0; frame < module.numberOfFrames; frame++) {
      let geometry = frameGeometry(instance.dataset, frame);
      if (!geometry && instances.length === 1 && module.numberOfFrames === 1) {
        geometry = assumedGeometry(instance);
      }
      if (!geometry) {
        throw fileError(
          instance.path,
          'no ImagePositionPatient/ImageOrientationPatient/PixelSpacing (not a 3D image)',
        );
      }
      frames.push({ instance, frame, geometry });
    }
  }
  const first = modules.get(instances[0]!)!;
  for (const [instance, module] of modules) {
    if (module.rows !== first.rows || module.columns !== first.columns) {
      throw fileError(
        dir,
        `slices differ in size: ${basename(instance.path)} is ${module.columns}×${module.rows}, ` +
          `${basename(instances[0]!.path)} is ${first.columns}×${first.rows}`,
      );
    }
  }
  let stack: ReturnType<typeof stackSlices>;
  try {
    stack = stackSlices(
      frames.map((f) => f.geometry),
      first.rows,
      frameThickness(instances[0]!.dataset, 0) ?? 1,
    );
  } catch (error) {
    if (error instanceof StackError) throw fileError(dir, error.message);
    throw error;
  }
  const { rows, columns } = first;
  const sliceSize = rows * columns;
  // Start in int16 when every slice's rescale is integral (CT); promote to float32 only if a value
  // does not fit, so a large CT series never holds more than one copy of its voxels.
  const integral = frames.every((f) => {
    const { slope, intercept } = frameRescale(f.instance.dataset, f.frame);
    return Number.isInteger(slope) && Number.isInteger(intercept);
  });
  let data: Int16Array | Float32Array = integral
    ? new Int16Array(sliceSize * frames.length)
    : new Float32Array(sliceSize * frames.length);
  const remaining = new Map<DicomInstance, number>();
  for (const f of frames) remaining.set(f.instance, (remaining.get(f.instance) ?? 0) + 1);
  for (let k = 0; k < stack.order.length; k++) {
    const ref = frames[stack.order[k]!]!;
    const stored = await decodeFrame(ref.instance, modules.get(ref.instance)!, ref.frame);
    const left = remaining.get(ref.instance)! - 1;
    remaining.set(ref.instance, left);
    if (left === 0) delete ref.instance.pixelData; // decoded: let its bytes be collected
    const { slope, intercept } = frameRescale(ref.instance.dataset, ref.frame);
    if (data instanceof Int16Array) {
      let low = Number.POSITIVE_INFINITY;
      let high = Number.NEGATIVE_INFINITY;
      for (let p = 0; p < sliceSize; p++) {
        const v = stored[p]!;
        if (v < low) low = v;
        if (v > high) high = v;
      }
      const [a, b] = [low * slope + intercept, high * slope + intercept];
      if (Math.min(a, b) < -32768 || Math.max(a, b) > 32767) data = Float32Array.from(data);
    }
    const base = k * sliceSize;
    for (let r = 0; r < rows; r++) {
      // DICOM rows run top to bottom; voxel j runs bottom to top (see geometry.ts).
      const target = base + (rows - 1 - r) * columns;
      const source = r * columns;
      for (let c = 0; c < columns; c++) data[target + c] = stored[source + c]! * slope + intercept;
    }
  }
  const datatype: DataType = data instanceof Int16Array ? 'int16' : 'float32';
  const header = instances[0]!.dataset;
  const volume: Volume = {
    data,
    dims: [columns, rows, frames.length],
    // The affine's column norms (a tilted stack's k column is longer than the slice spacing).
    spacing: spacingFromAffine(stack.affine),
    affine: stack.affine,
    datatype,
    source: {
      format: 'dicom',
      path: dir,
      header: {
        seriesInstanceUid: text(header.SeriesInstanceUID),
        studyInstanceUid: text(header.StudyInstanceUID),
        frameOfReferenceUid: text(header.FrameOfReferenceUID),
        modality: text(header.Modality),
        seriesDescription: text(header.SeriesDescription),
        transferSyntax: instances[0]!.transferSyntax,
        ...(stack.tiltDegrees > 0.01 ? { gantryTiltDegrees: stack.tiltDegrees } : {}),
      },
    },
  };
  const slices = stack.order.map((index) => {
    const ref = frames[index]!;
    return {
      path: ref.instance.path,
      sopInstanceUid: text(ref.instance.dataset.SOPInstanceUID),
      sopClassUid: text(ref.instance.dataset.SOPClassUID),
      frame: ref.frame,
    };
  });
  return { volume, slices, header };
}

// Slices from two frames of reference are two coordinate systems: stacking them by position would
// mix two scans (or two patients) into one volume.
function assertOneFrameOfReference(dir: string, instances: DicomInstance[]): void {
  const first = instances.find((i) => text(i.dataset.FrameOfReferenceUID) !== '');
  if (!first) return;
  const uid = text(first.dataset.FrameOfReferenceUID);
  const other = instances.find((i) => {
    const its = text(i.dataset.FrameOfReferenceUID);
    return its !== '' && its !== uid;
  });
  if (other) {
    throw fileError(
      dir,
      `slices of one series have different FrameOfReferenceUIDs (not one volume): ` +
        `${basename(first.path)} has ${uid}, ${basename(other.path)} has ${text(other.dataset.FrameOfReferenceUID)}`,
    );
  }
}

// A lone 2D image without geometry (a secondary capture, an anonymised export) still converts, as
// dcm2niix does, on an identity orientation and its PixelSpacing (else 1 mm): the user is told.
function assumedGeometry(instance: DicomInstance): SliceGeometry {
  const d = instance.dataset;
  const declared = (Array.isArray(d.PixelSpacing) ? d.PixelSpacing : [d.PixelSpacing]).map(Number);
  const spacing: [number, number] =
    declared.length >= 2 && declared.slice(0, 2).every((v) => Number.isFinite(v) && v > 0)
      ? [declared[0]!, declared[1]!]
      : [1, 1];
  const thickness = frameThickness(d, 0) ?? 1;
  const missing = ['ImagePositionPatient', 'ImageOrientationPatient', 'PixelSpacing'].filter(
    (key) => d[key] === undefined || d[key] === '',
  );
  warn(
    `${instance.path}: no ${missing.join('/') || 'valid plane geometry'}; geometry assumed: identity ` +
      `orientation at the origin, ${spacing[1]} × ${spacing[0]} × ${thickness} mm voxels`,
  );
  return { position: [0, 0, 0], orientation: [1, 0, 0, 0, 1, 0], pixelSpacing: spacing };
}

function text(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === null ? '' : String(v).replace(/\0/g, '').trim();
}
