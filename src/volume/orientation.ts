/**
 * Axis orientation codes ('RAS', 'LPS', 'LIA', …) and exact reorientation by axis permutation and
 * flips: no interpolation, every voxel keeps its world position (the affine is updated to match).
 */
import { InputError } from '../errors.js';
import { multiply4, nearestRotation } from './matrix.js';
import { allocateVoxels, type Matrix4, spacingFromAffine, type Volume, type VoxelArray } from './volume.js';

/** For each voxel axis i, j, k: the world axis (0 = x/R-L, 1 = y/A-P, 2 = z/S-I) it runs along and its sign. */
export type AxisOrientation = { axis: number; sign: 1 | -1 }[];

const LETTERS = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
] as const;

/**
 * Which world axis each voxel axis is closest to, as nibabel's io_orientation: the direction cosines
 * are replaced by the nearest orthogonal matrix, then each voxel axis in turn takes the world axis
 * with the largest component that no earlier voxel axis has taken.
 */
export function axisOrientation(affine: Matrix4): AxisOrientation {
  const zooms = [0, 1, 2].map((c) => Math.hypot(affine[0]![c]!, affine[1]![c]!, affine[2]![c]!) || 1);
  const r = nearestRotation([0, 1, 2].map((row) => [0, 1, 2].map((c) => affine[row]![c]! / zooms[c]!)));
  const taken = [false, false, false];
  const result: AxisOrientation = [];
  for (let c = 0; c < 3; c++) {
    let best = -1;
    for (let row = 0; row < 3; row++) {
      if (!taken[row] && (best < 0 || Math.abs(r[row]![c]!) > Math.abs(r[best]![c]!))) best = row;
    }
    taken[best] = true;
    result.push({ axis: best, sign: r[best]![c]! < 0 ? -1 : 1 });
  }
  return result;
}

/** The three-letter code naming where each voxel axis points, e.g. 'RAS' or 'LPS' (nibabel's aff2axcodes). */
export function orientationCode(affine: Matrix4): string {
  return axisOrientation(affine)
    .map(({ axis, sign }) => LETTERS[axis]![sign > 0 ? 1 : 0])
    .join('');
}

/** Parses an orientation code such as 'RAS' or 'lpi'; throws an InputError for anything else. */
export function parseOrientationCode(code: string): AxisOrientation {
  const upper = code.toUpperCase();
  const result: AxisOrientation = [];
  for (const letter of upper) {
    const axis = LETTERS.findIndex((pair) => (pair as readonly string[]).includes(letter));
    if (axis < 0) break;
    result.push({ axis, sign: LETTERS[axis]![1] === letter ? 1 : -1 });
  }
  const axes = new Set(result.map((o) => o.axis));
  if (upper.length !== 3 || result.length !== 3 || axes.size !== 3) {
    throw new InputError(
      `"${code}" is not an orientation code: expected three letters, one each of L/R, P/A and I/S (e.g. RAS)`,
    );
  }
  return result;
}

/**
 * Reorients a volume so its voxel axes run along `code` (default 'RAS'), by permuting and flipping
 * axes only: the voxels are copied, never interpolated, and the affine is updated so every voxel
 * keeps its world coordinates. Channels (a 4th dim) stay last.
 *
 * @example const ras = reorient(await readVolume('ct.nii.gz')); // model input
 */
export function reorient(volume: Volume, code = 'RAS'): Volume {
  const target = parseOrientationCode(code);
  const current = axisOrientation(volume.affine);
  const dims = [volume.dims[0] ?? 1, volume.dims[1] ?? 1, volume.dims[2] ?? 1];
  const strides = [1, dims[0]!, dims[0]! * dims[1]!];
  // For output axis j: the input axis it reads from, whether it is flipped, and the start/step in the input.
  const source = target.map(({ axis, sign }) => {
    const input = current.findIndex((o) => o.axis === axis);
    const flip = current[input]!.sign !== sign;
    return { input, flip };
  });
  if (source.every((s, j) => s.input === j && !s.flip))
    return { ...volume, affine: volume.affine.map((r) => [...r]) };
  const outDims = source.map((s) => dims[s.input]!) as [number, number, number];
  const start = source.map((s) => (s.flip ? (dims[s.input]! - 1) * strides[s.input]! : 0));
  const step = source.map((s) => (s.flip ? -strides[s.input]! : strides[s.input]!)) as [
    number,
    number,
    number,
  ];
  const perChannel = dims[0]! * dims[1]! * dims[2]!;
  const data = allocateVoxels(volume.datatype, volume.data.length);
  const copy = Math.abs(step[0]) === 1 ? copyRows : copyTransposed;
  for (let c = 0; c < (volume.dims[3] ?? 1); c++) {
    copy(
      volume.data,
      data,
      start[0]! + start[1]! + start[2]! + c * perChannel,
      c * perChannel,
      outDims,
      step,
    );
  }
  // New voxel index n maps to old index: old[input_j] = flip ? dims−1−n_j : n_j.
  const transform: Matrix4 = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 1],
  ];
  source.forEach((s, j) => {
    transform[s.input]![j] = s.flip ? -1 : 1;
    if (s.flip) transform[s.input]![3] = dims[s.input]! - 1;
  });
  const affine = multiply4(volume.affine, transform);
  const outVolumeDims = [...outDims];
  if (volume.dims.length > 3) outVolumeDims.push(...volume.dims.slice(3));
  return { ...volume, data, dims: outVolumeDims, affine, spacing: spacingFromAffine(affine) };
}

/** Reorients to RAS, the orientation models see. */
export function reorientToRas(volume: Volume): Volume {
  return reorient(volume, 'RAS');
}

/**
 * Reorients `volume` back to the orientation of `like` (e.g. a prediction made in RAS back to the
 * input's LPS grid); with `like` being the volume that was reoriented, this is the exact inverse.
 */
export function reorientLike(volume: Volume, like: Pick<Volume, 'affine'>): Volume {
  return reorient(volume, orientationCode(like.affine));
}

/** Output rows are input rows (x kept or flipped): whole-row copies, reversed natively when flipped. */
function copyRows(
  input: VoxelArray,
  data: VoxelArray,
  inBase: number,
  outBase: number,
  [nx, ny, nz]: [number, number, number],
  [sx, sy, sz]: [number, number, number],
): void {
  let o = outBase;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++, o += nx) {
      const i = inBase + z * sz + y * sy;
      if (sx === 1) data.set(input.subarray(i, i + nx), o);
      else {
        data.set(input.subarray(i - nx + 1, i + 1), o);
        data.subarray(o, o + nx).reverse();
      }
    }
  }
}

/**
 * The input's x axis becomes output y or z: a blocked transpose, reading runs of TILE contiguous
 * input voxels while writing TILE output rows at once, so neither side streams through memory with
 * a large stride (a plain loop is ~10× slower on a 512×512×300 volume).
 */
const TILE = 16;

function copyTransposed(
  input: VoxelArray,
  data: VoxelArray,
  inBase: number,
  outBase: number,
  [nx, ny, nz]: [number, number, number],
  [sx, sy, sz]: [number, number, number],
): void {
  if (Math.abs(sy) === 1) {
    for (let z = 0; z < nz; z++) {
      for (let y0 = 0; y0 < ny; y0 += TILE) {
        const count = Math.min(TILE, ny - y0);
        for (let x = 0; x < nx; x++) {
          let i = inBase + z * sz + x * sx + y0 * sy;
          let o = outBase + (z * ny + y0) * nx + x;
          for (let t = 0; t < count; t++, i += sy, o += nx) data[o] = input[i]!;
        }
      }
    }
    return;
  }
  const slice = nx * ny;
  for (let z0 = 0; z0 < nz; z0 += TILE) {
    const count = Math.min(TILE, nz - z0);
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        let i = inBase + y * sy + x * sx + z0 * sz;
        let o = outBase + (z0 * ny + y) * nx + x;
        for (let t = 0; t < count; t++, i += sz, o += slice) data[o] = input[i]!;
      }
    }
  }
}
