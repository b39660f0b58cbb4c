/**
 * The voxel→RAS affine a NIfTI header encodes (sform, qform quaternion, or pixdim alone) and the
 * reverse: setting both forms from an affine, with the same choices as nibabel so files agree.
 */

import { determinant3, nearestRotation } from '../../volume/matrix.js';
import type { Matrix4 } from '../../volume/volume.js';
import type { NiftiHeader } from './header.js';

/** The affine from the sform rows. */
export function sformAffine(h: NiftiHeader): Matrix4 {
  return [[...h.srowX], [...h.srowY], [...h.srowZ], [0, 0, 0, 1]];
}

/** The affine from the quaternion, qfac (pixdim[0]) and pixdim[1..3]. */
export function qformAffine(h: NiftiHeader): Matrix4 {
  const b = h.quaternB;
  const c = h.quaternC;
  const d = h.quaternD;
  // The header stores only b, c, d of a unit quaternion; float32 rounding can make 1 − |bcd|² slightly
  // negative, which means a = 0 (a 180° rotation).
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const qfac = h.pixdim[0] === -1 ? -1 : 1;
  const zooms = [h.pixdim[1]!, h.pixdim[2]!, h.pixdim[3]! * qfac];
  const offset = [h.qoffsetX, h.qoffsetY, h.qoffsetZ];
  return [
    ...[0, 1, 2].map((row) => [
      r[row]![0]! * zooms[0]!,
      r[row]![1]! * zooms[1]!,
      r[row]![2]! * zooms[2]!,
      offset[row]!,
    ]),
    [0, 0, 0, 1],
  ];
}

/**
 * nibabel's fallback when neither code is set: pixdim scaling, x flipped (radiological Analyze
 * convention) and the origin at the volume centre.
 */
export function baseAffine(h: NiftiHeader): Matrix4 {
  const zooms = [-Math.abs(h.pixdim[1] || 1), h.pixdim[2] || 1, h.pixdim[3] || 1];
  const affine: Matrix4 = [
    [zooms[0]!, 0, 0, 0],
    [0, zooms[1]!, 0, 0],
    [0, 0, zooms[2]!, 0],
    [0, 0, 0, 1],
  ];
  for (let i = 0; i < 3; i++) affine[i]![3] = (-((h.dim[i + 1] ?? 1) - 1) / 2) * zooms[i]!;
  return affine;
}

/** The affine a reader should use: sform when its code is set, else qform, else pixdim (as nibabel). */
export function headerAffine(h: NiftiHeader): Matrix4 {
  if (h.sformCode > 0) return sformAffine(h);
  if (h.qformCode > 0) return qformAffine(h);
  return baseAffine(h);
}

/** Unit quaternion (w, x, y, z) with w ≥ 0 of a proper rotation matrix (Shepperd's method). */
function rotationToQuaternion(r: number[][]): [number, number, number, number] {
  const [m00, m01, m02] = r[0]!;
  const [m10, m11, m12] = r[1]!;
  const [m20, m21, m22] = r[2]!;
  const trace = m00! + m11! + m22!;
  let w: number;
  let x: number;
  let y: number;
  let z: number;
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    w = s / 4;
    x = (m21! - m12!) / s;
    y = (m02! - m20!) / s;
    z = (m10! - m01!) / s;
  } else if (m00! > m11! && m00! > m22!) {
    const s = Math.sqrt(1 + m00! - m11! - m22!) * 2;
    w = (m21! - m12!) / s;
    x = s / 4;
    y = (m01! + m10!) / s;
    z = (m02! + m20!) / s;
  } else if (m11! > m22!) {
    const s = Math.sqrt(1 + m11! - m00! - m22!) * 2;
    w = (m02! - m20!) / s;
    x = (m01! + m10!) / s;
    y = s / 4;
    z = (m12! + m21!) / s;
  } else {
    const s = Math.sqrt(1 + m22! - m00! - m11!) * 2;
    w = (m10! - m01!) / s;
    x = (m02! + m20!) / s;
    y = (m12! + m21!) / s;
    z = s / 4;
  }
  const n = Math.hypot(w, x, y, z);
  const sign = w < 0 ? -1 : 1;
  return [(sign * w) / n, (sign * x) / n, (sign * y) / n, (sign * z) / n];
}

/**
 * Stores `affine` in both forms: the sform rows exactly, and the nearest qform (rotation + zooms +
 * qfac), updating pixdim[0..3] the way nibabel's set_qform does. Codes are left to the caller.
 */
export function setHeaderAffine(h: NiftiHeader, affine: Matrix4): void {
  h.srowX = [...affine[0]!];
  h.srowY = [...affine[1]!];
  h.srowZ = [...affine[2]!];
  const zooms = [0, 1, 2].map((c) => Math.hypot(affine[0]![c]!, affine[1]![c]!, affine[2]![c]!) || 1);
  const r = [0, 1, 2].map((row) => [0, 1, 2].map((c) => affine[row]![c]! / zooms[c]!));
  const det = determinant3(r);
  let qfac = 1;
  if (det < 0) {
    // A left-handed grid: the quaternion cannot hold the reflection, qfac = −1 flips k instead.
    qfac = -1;
    for (let row = 0; row < 3; row++) r[row]![2] = -r[row]![2]!;
  }
  const [, x, y, z] = rotationToQuaternion(nearestRotation(r));
  h.quaternB = x;
  h.quaternC = y;
  h.quaternD = z;
  h.qoffsetX = affine[0]![3]!;
  h.qoffsetY = affine[1]![3]!;
  h.qoffsetZ = affine[2]![3]!;
  h.pixdim = [qfac, zooms[0]!, zooms[1]!, zooms[2]!, ...h.pixdim.slice(4)];
  while (h.pixdim.length < 8) h.pixdim.push(1);
}
