// Reads a DICOM Segmentation (binary or fractional) into a label map whose voxel values are the
// segment numbers, either on a grid the caller gives (e.g. the referenced series read with
// readDicomSeries) or on the grid its own frames span.

import { readFile } from 'node:fs/promises';
import { fileError } from '../../errors.js';
import { invertAffine } from '../../volume/matrix.js';
import { type Matrix4, spacingFromAffine, type Volume } from '../../volume/volume.js';
import { asItems, frameGeometry, functionalGroup } from './frame-geometry.js';
import { dot, rasAffine, type SliceGeometry, sliceAxes, type Vec3 } from './geometry.js';
import { type NaturalDataset, parseDicom } from './instance.js';
import { decodeFrame, pixelModule } from './pixels.js';
import type { CodedConcept, SegmentProperty } from './snomed.js';

export const SEGMENTATION_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
/** Label Map Segmentation: one frame per plane whose pixel values are segment numbers. */
export const LABEL_MAP_SEGMENTATION_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.7';

/** One segment as the SEG describes it. */
export interface DicomSegment {
  /** SegmentNumber: the value its voxels take in the label map. */
  number: number;
  label: string;
  description?: string;
  algorithmType?: string;
  property?: SegmentProperty;
}

export interface DicomSegmentation {
  segments: DicomSegment[];
  /** Voxel value = segment number (0 = none); where segments overlap, the higher number wins. */
  labelMap: Volume;
  /** Voxels claimed by more than one segment. */
  overlaps: number;
  /** SeriesInstanceUID of the segmented image series, when the SEG names it. */
  referencedSeriesUid?: string;
}

export interface ReadSegOptions {
  /** Place the segments on this grid (e.g. the referenced series' volume) instead of the SEG's own. */
  grid?: Pick<Volume, 'dims' | 'affine'>;
}

/** Reads a DICOM-SEG file, e.g. `const { segments, labelMap } = await readDicomSeg('liver.dcm')`. */
export async function readDicomSeg(path: string, options: ReadSegOptions = {}): Promise<DicomSegmentation> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw fileError(
      path,
      `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const instance = parseDicom(bytes, path);
  const d = instance.dataset;
  if (![SEGMENTATION_SOP_CLASS, LABEL_MAP_SEGMENTATION_SOP_CLASS].includes(String(d.SOPClassUID))) {
    throw fileError(path, `not a DICOM Segmentation (SOP class ${String(d.SOPClassUID ?? 'missing')})`);
  }
  const module = pixelModule(instance);
  const type = String(d.SegmentationType ?? 'BINARY').toUpperCase();
  const labelMapFrames = type === 'LABELMAP';
  const threshold = type === 'FRACTIONAL' ? Number(d.MaximumFractionalValue ?? 255) / 2 : 0.5;
  // Segment 0 of a label-map SEG is the background, not a segment of the label map.
  const segments = asItems(d.SegmentSequence)
    .map(segmentOf)
    .filter((s) => s.number > 0);
  const known = new Set(segments.map((s) => s.number));
  const padding = d.PixelPaddingValue === undefined ? undefined : Number(d.PixelPaddingValue);
  if (segments.length === 0) throw fileError(path, 'SEG has no SegmentSequence');

  const geometries: SliceGeometry[] = [];
  const segmentOfFrame: number[] = [];
  for (let f = 0; f < module.numberOfFrames; f++) {
    const geometry = frameGeometry(d, f);
    if (!geometry) throw fileError(path, `frame ${f + 1} has no plane position/orientation/pixel spacing`);
    geometries.push(geometry);
    if (labelMapFrames) continue;
    const number = Number(functionalGroup(d, f, 'SegmentIdentificationSequence')?.ReferencedSegmentNumber);
    if (!known.has(number)) throw fileError(path, `frame ${f + 1} names no known segment`);
    segmentOfFrame.push(number);
  }
  const grid = options.grid ?? ownGrid(d, geometries, module.rows, module.columns, path);
  const [nx, ny, nz] = grid.dims as [number, number, number];
  const maxSegment = Math.max(...segments.map((s) => s.number));
  const data = maxSegment > 255 ? new Uint16Array(nx * ny * nz) : new Uint8Array(nx * ny * nz);
  const toVoxel = invertAffine(grid.affine);
  let overlaps = 0;
  for (let f = 0; f < module.numberOfFrames; f++) {
    const mask = await decodeFrame(instance, module, f);
    const { base, perColumn, perRow } = framePlacement(geometries[f]!, toVoxel);
    assertOnGrid(base, perColumn, perRow, module, path, f);
    // Binary frames are mostly empty: jump between set pixels with the (native) indexOf scan.
    const binary = type === 'BINARY';
    const next = (from: number): number => {
      if (binary) return mask.indexOf(1, from);
      for (let p = from; p < mask.length; p++) if (mask[p]! > 0) return p;
      return -1;
    };
    for (let p = next(0); p !== -1; p = next(p + 1)) {
      const value = mask[p]!;
      let segment: number;
      if (labelMapFrames) {
        if (value === padding || !known.has(value)) continue;
        segment = value;
      } else {
        if (!(value > threshold)) continue;
        segment = segmentOfFrame[f]!;
      }
      const r = Math.floor(p / module.columns);
      const c = p - r * module.columns;
      const i = Math.round(base[0] + c * perColumn[0] + r * perRow[0]);
      const j = Math.round(base[1] + c * perColumn[1] + r * perRow[1]);
      const k = Math.round(base[2] + c * perColumn[2] + r * perRow[2]);
      if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) {
        throw fileError(path, `frame ${f + 1} lies outside the target grid (voxel ${i}, ${j}, ${k})`);
      }
      const index = i + nx * (j + ny * k);
      const previous = data[index]!;
      if (previous !== 0 && previous !== segment) overlaps++;
      if (segment > previous) data[index] = segment;
    }
  }
  const referenced = asItems(d.ReferencedSeriesSequence)[0]?.SeriesInstanceUID;
  return {
    segments,
    labelMap: {
      data,
      dims: [nx, ny, nz],
      spacing: spacingFromAffine(grid.affine),
      affine: grid.affine.map((r) => [...r]),
      datatype: data instanceof Uint16Array ? 'uint16' : 'uint8',
      source: { format: 'dicom-seg', path, header: { seriesInstanceUid: String(d.SeriesInstanceUID ?? '') } },
    },
    overlaps,
    ...(referenced ? { referencedSeriesUid: String(referenced) } : {}),
  };
}

function segmentOf(item: NaturalDataset): DicomSegment {
  const code = (value: unknown): CodedConcept | undefined => {
    const c = asItems(value)[0];
    return c
      ? {
          code: String(c.CodeValue ?? ''),
          scheme: String(c.CodingSchemeDesignator ?? ''),
          meaning: String(c.CodeMeaning ?? ''),
        }
      : undefined;
  };
  const category = code(item.SegmentedPropertyCategoryCodeSequence);
  const type = code(item.SegmentedPropertyTypeCodeSequence);
  const modifier = code(
    asItems(item.SegmentedPropertyTypeCodeSequence)[0]?.SegmentedPropertyTypeModifierCodeSequence,
  );
  return {
    number: Number(item.SegmentNumber),
    label: String(item.SegmentLabel ?? ''),
    ...(item.SegmentDescription ? { description: String(item.SegmentDescription) } : {}),
    ...(item.SegmentAlgorithmType ? { algorithmType: String(item.SegmentAlgorithmType) } : {}),
    ...(category && type ? { property: { category, type, ...(modifier ? { modifier } : {}) } } : {}),
  };
}

// A frame's pixel (row r, column c) lands at voxel base + c·perColumn + r·perRow of the target grid.
function framePlacement(g: SliceGeometry, toVoxel: Matrix4) {
  const { row, column } = sliceAxes(g.orientation);
  const ras = (v: Vec3): Vec3 => [-v[0], -v[1], v[2]];
  const apply = (v: Vec3, w: number): Vec3 =>
    [0, 1, 2].map(
      (r) => toVoxel[r]![0]! * v[0] + toVoxel[r]![1]! * v[1] + toVoxel[r]![2]! * v[2] + toVoxel[r]![3]! * w,
    ) as Vec3;
  return {
    base: apply(ras(g.position), 1),
    perColumn: apply(ras(row.map((x) => x * g.pixelSpacing[1]) as Vec3), 0),
    perRow: apply(ras(column.map((x) => x * g.pixelSpacing[0]) as Vec3), 0),
  };
}

// Nearest-voxel placement is only exact when the frame's pixel centres fall on voxel centres.
function assertOnGrid(
  base: Vec3,
  perColumn: Vec3,
  perRow: Vec3,
  size: { rows: number; columns: number },
  path: string,
  f: number,
) {
  const corners = [
    [0, 0],
    [size.columns - 1, 0],
    [0, size.rows - 1],
    [size.columns - 1, size.rows - 1],
  ];
  for (const [c, r] of corners) {
    for (let a = 0; a < 3; a++) {
      const x = base[a]! + c! * perColumn[a]! + r! * perRow[a]!;
      if (Math.abs(x - Math.round(x)) > 0.05) {
        throw fileError(
          path,
          `frame ${f + 1} is not aligned with the target grid (off by ${Math.abs(x - Math.round(x)).toFixed(3)} voxel)`,
        );
      }
    }
  }
}

// The grid the frames span: their plane, from the lowest to the highest frame along the normal,
// at SpacingBetweenSlices (or the smallest gap between frame planes).
function ownGrid(
  d: NaturalDataset,
  geometries: SliceGeometry[],
  rows: number,
  columns: number,
  path: string,
) {
  const { normal } = sliceAxes(geometries[0]!.orientation);
  const along = geometries.map((g) => dot(g.position, normal));
  const planes = [...new Set(along.map((x) => Math.round(x * 1e3) / 1e3))].sort((a, b) => a - b);
  const gaps = planes.slice(1).map((p, i) => p - planes[i]!);
  const measures = functionalGroup(d, 0, 'PixelMeasuresSequence');
  const declared = Number(measures?.SpacingBetweenSlices ?? d.SpacingBetweenSlices);
  const spacing =
    Number.isFinite(declared) && declared > 0
      ? declared
      : gaps.length > 0
        ? Math.min(...gaps)
        : Number(measures?.SliceThickness ?? 1) || 1;
  for (const p of planes) {
    const steps = (p - planes[0]!) / spacing;
    if (Math.abs(steps - Math.round(steps)) > 0.05) {
      throw fileError(path, `frame planes are not evenly spaced at ${spacing} mm (plane at ${p} mm)`);
    }
  }
  const lowest = geometries[along.indexOf(Math.min(...along))]!;
  const step = normal.map((x) => x * spacing) as Vec3;
  const nz = Math.round((planes[planes.length - 1]! - planes[0]!) / spacing) + 1;
  return { dims: [columns, rows, nz], affine: rasAffine(lowest, lowest.position, step, rows) };
}
