// Where each slice of a DICOM series lies in the patient, and the voxel→RAS affine of the stack.
//
// Conventions (the same as dcm2niix, so a converted series lands on the grid of the NIfTI files
// the field already makes from it): voxel i runs along the image row (ImageOrientationPatient's first
// triplet); voxel j runs *up* the image (rows are stored bottom row first); voxel k runs along the
// slice normal (row × column) in increasing position. DICOM's patient space is LPS, so the first
// two rows of the LPS affine are negated to give RAS.
//
// Gantry tilt: when the slice origins advance along a straight line that is not the slice normal
// (a tilted CT gantry), the stack is a consistent shear. We keep it exact: the third column of the
// affine is the measured step between slice origins, not the normal; the image is not resampled.
// Slices that are not parallel, or origins that do not lie on one evenly spaced line, are refused.
import type { Matrix4 } from '../../volume/volume.js';

export type Vec3 = [number, number, number];

/** The geometry one slice (or one frame) declares. */
export interface SliceGeometry {
  /** ImagePositionPatient: LPS mm of the centre of the first transmitted pixel. */
  position: Vec3;
  /** ImageOrientationPatient: row direction then column direction (LPS unit vectors). */
  orientation: [number, number, number, number, number, number];
  /** PixelSpacing: [between rows, between columns] in mm. */
  pixelSpacing: [number, number];
}

/** A stack of parallel, evenly spaced slices, in the order voxel k takes them. */
export interface SliceStack {
  /** Indices into the input slices, ordered along the normal. */
  order: number[];
  affine: Matrix4;
  /** Distance between slice planes along the normal (mm). */
  sliceSpacing: number;
  /** Angle between the stacking direction and the slice normal (degrees; 0 without gantry tilt). */
  tiltDegrees: number;
}

/** A stacking problem a caller turns into a user-facing error naming the folder. */
export class StackError extends Error {}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function norm(a: Vec3): number {
  return Math.hypot(a[0], a[1], a[2]);
}

/** Row direction, column direction and unit slice normal of an ImageOrientationPatient. */
export function sliceAxes(orientation: SliceGeometry['orientation']): {
  row: Vec3;
  column: Vec3;
  normal: Vec3;
} {
  const row: Vec3 = [orientation[0], orientation[1], orientation[2]];
  const column: Vec3 = [orientation[3], orientation[4], orientation[5]];
  const n = cross(row, column);
  const length = norm(n);
  if (!(length > 0.5))
    throw new StackError('ImageOrientationPatient row and column directions are not orthogonal');
  return { row, column, normal: [n[0] / length, n[1] / length, n[2] / length] };
}

/**
 * Sorts slices along their normal and builds the RAS affine of the stack, refusing stacks that
 * are not one volume: differing orientation or pixel spacing, two slices at one position, a
 * missing slice, or uneven spacing. `rows` is the image height in pixels. `thickness` is used as
 * the slice spacing of a single-slice stack.
 */
export function stackSlices(slices: SliceGeometry[], rows: number, thickness = 1): SliceStack {
  if (slices.length === 0) throw new StackError('no slices');
  const reference = slices[0]!;
  const { row, column, normal } = sliceAxes(reference.orientation);
  for (const slice of slices) {
    const axes = sliceAxes(slice.orientation);
    if (dot(axes.row, row) < 0.9999 || dot(axes.column, column) < 0.9999) {
      throw new StackError('slices have different ImageOrientationPatient (not one volume)');
    }
    const [a, b] = slice.pixelSpacing;
    if (Math.abs(a - reference.pixelSpacing[0]) > 1e-4 || Math.abs(b - reference.pixelSpacing[1]) > 1e-4) {
      throw new StackError('slices have different PixelSpacing (not one volume)');
    }
  }
  const distance = slices.map((s) => dot(s.position, normal));
  const order = distance.map((_, i) => i).sort((a, b) => distance[a]! - distance[b]!);
  const sorted = order.map((i) => slices[i]!.position);
  const along = order.map((i) => distance[i]!);

  let step: Vec3 = [normal[0] * thickness, normal[1] * thickness, normal[2] * thickness];
  let sliceSpacing = thickness;
  if (slices.length > 1) {
    const gaps = along.slice(1).map((d, i) => d - along[i]!);
    const typical = median(gaps);
    gaps.forEach((gap, i) => {
      if (gap < 1e-3) {
        throw new StackError(`two slices at the same position (${formatMm(along[i]!)} mm along the normal)`);
      }
    });
    const tolerance = Math.max(1e-3, 0.02 * typical);
    gaps.forEach((gap, i) => {
      if (gap > 1.5 * typical) {
        const missing = Math.round(gap / typical) - 1;
        throw new StackError(
          `missing slice${missing > 1 ? 's' : ''}: gap of ${formatMm(gap)} mm (typical ${formatMm(typical)} mm) ` +
            `between slice ${i + 1} and ${i + 2} of ${slices.length} ` +
            `(${formatMm(along[i]!)} → ${formatMm(along[i + 1]!)} mm along the normal)`,
        );
      }
      if (Math.abs(gap - typical) > tolerance) {
        throw new StackError(
          `inconsistent slice spacing: ${formatMm(gap)} mm between slice ${i + 1} and ${i + 2}, ` +
            `typical ${formatMm(typical)} mm`,
        );
      }
    });
    const last = sorted[sorted.length - 1]!;
    const n = slices.length - 1;
    step = sub(last, sorted[0]!).map((v) => v / n) as Vec3;
    sliceSpacing = (along[along.length - 1]! - along[0]!) / n;
    // Every origin must lie on the line first + k·step, or the stack is not a (sheared) grid.
    sorted.forEach((p, k) => {
      const expected: Vec3 = [
        sorted[0]![0] + k * step[0],
        sorted[0]![1] + k * step[1],
        sorted[0]![2] + k * step[2],
      ];
      if (norm(sub(p, expected)) > Math.max(0.01, 0.02 * sliceSpacing)) {
        throw new StackError(
          `slice ${k + 1} of ${slices.length} is off the line through the other slice origins`,
        );
      }
    });
  }
  const tiltDegrees = (Math.acos(Math.min(1, Math.abs(dot(step, normal)) / norm(step))) * 180) / Math.PI;
  return { order, affine: rasAffine(reference, sorted[0]!, step, rows), sliceSpacing, tiltDegrees };
}

/**
 * The voxel→RAS affine of a stack whose first slice has `origin`, advancing `step` (LPS mm) per
 * slice, with rows stored bottom-up (voxel j = rows − 1 − DICOM row index).
 */
export function rasAffine(slice: SliceGeometry, origin: Vec3, step: Vec3, rows: number): Matrix4 {
  const { row, column } = sliceAxes(slice.orientation);
  const [rowSpacing, columnSpacing] = slice.pixelSpacing;
  const i: Vec3 = [row[0] * columnSpacing, row[1] * columnSpacing, row[2] * columnSpacing];
  const j: Vec3 = [-column[0] * rowSpacing, -column[1] * rowSpacing, -column[2] * rowSpacing];
  const t: Vec3 = [
    origin[0] - j[0] * (rows - 1),
    origin[1] - j[1] * (rows - 1),
    origin[2] - j[2] * (rows - 1),
  ];
  const lps = [
    [i[0], j[0], step[0], t[0]],
    [i[1], j[1], step[1], t[1]],
    [i[2], j[2], step[2], t[2]],
  ];
  return [lps[0]!.map((v) => -v), lps[1]!.map((v) => -v), lps[2]!, [0, 0, 0, 1]].map((r) => r.map(clean));
}

// Avoid -0 in affines (it prints oddly and compares unequal in JSON snapshots).
function clean(v: number): number {
  return v === 0 ? 0 : v;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function formatMm(v: number): string {
  return Number(v.toFixed(3)).toString();
}
