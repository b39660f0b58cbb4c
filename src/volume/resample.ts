/**
 * Resampling a volume onto another voxel grid: trilinear for images, nearest neighbour for label
 * maps. The grids are related through their affines, so a prediction made on a resampled RAS grid
 * goes back onto the input's exact grid with `resampleToGrid(prediction, input, 'nearest')`.
 */
import { fileError } from '../errors.js';
import { invertAffine, multiply4 } from './matrix.js';
import { labelCounts } from './statistics.js';
import { allocateVoxels, type Matrix4, spacingFromAffine, type Volume, type VoxelArray } from './volume.js';

/**
 * 'linear': trilinear, float32 output (images). 'nearest': nearest neighbour, same type (label maps).
 * 'label-linear': each label's mask is interpolated trilinearly and the strongest label wins, which
 * gives smoother organ boundaries than 'nearest' when label maps are resampled to a finer grid.
 */
export type InterpolationMode = 'linear' | 'nearest' | 'label-linear';

/** A voxel grid: its shape (x, y, z) and its voxel→world affine. */
export interface Grid {
  dims: number[];
  affine: Matrix4;
}

export interface ResampleOptions {
  /** Value for target voxels whose centre lies more than half a voxel outside the source (default 0). */
  fill?: number;
}

/**
 * The grid with voxel size `spacing` covering the same field of view: axis directions are kept, the
 * number of voxels is rounded, and the new grid is centred on the old one.
 */
export function gridForSpacing(
  volume: Pick<Volume, 'dims' | 'affine'>,
  spacing: [number, number, number],
): Grid {
  const old = spacingFromAffine(volume.affine);
  const dims = [0, 1, 2].map((a) => Math.max(1, Math.round(((volume.dims[a] ?? 1) * old[a]!) / spacing[a]!)));
  const scale: Matrix4 = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  for (let a = 0; a < 3; a++) {
    const ratio = spacing[a]! / old[a]!;
    scale[a]![a] = ratio;
    scale[a]![3] = ((volume.dims[a] ?? 1) - 1 - (dims[a]! - 1) * ratio) / 2;
  }
  return { dims, affine: multiply4(volume.affine, scale) };
}

/** Resamples to voxel size `spacing` (mm) over the same field of view. */
export function resampleToSpacing(
  volume: Volume,
  spacing: [number, number, number],
  mode: InterpolationMode,
  options: ResampleOptions = {},
): Volume {
  return resampleToGrid(volume, gridForSpacing(volume, spacing), mode, options);
}

/** Index tables along one axis: source offsets (already × stride), weights, and which targets fall outside. */
interface AxisTable {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
  inside: Uint8Array;
}

/**
 * Rounds positions within 1e-6 voxels of an integer onto it: inv(A)·B for grids that share voxel centres
 * is integer only up to float rounding, and a weight of 1e-15 would make identity resampling inexact.
 */
function snap(s: number): number {
  const r = Math.round(s);
  return Math.abs(s - r) < 1e-6 ? r : s;
}

function axisTable(
  scale: number,
  offset: number,
  outSize: number,
  inSize: number,
  stride: number,
  nearest: boolean,
): AxisTable {
  const table: AxisTable = {
    i0: new Int32Array(outSize),
    i1: new Int32Array(outSize),
    w: new Float32Array(outSize),
    inside: new Uint8Array(outSize),
  };
  for (let t = 0; t < outSize; t++) {
    const s = snap(scale * t + offset);
    // Half a voxel of tolerance (plus rounding slack) so a grid's own border voxels count as inside.
    table.inside[t] = s >= -0.5 - 1e-6 && s <= inSize - 0.5 + 1e-6 ? 1 : 0;
    const clamped = Math.min(Math.max(s, 0), inSize - 1);
    if (nearest) {
      const i = Math.min(Math.round(clamped), inSize - 1);
      table.i0[t] = i * stride;
      table.i1[t] = i * stride;
    } else {
      const i = Math.min(Math.floor(clamped), inSize - 1);
      table.i0[t] = i * stride;
      table.i1[t] = Math.min(i + 1, inSize - 1) * stride;
      table.w[t] = clamped - i;
    }
  }
  return table;
}

/**
 * Resamples `volume` onto `grid` (any affine: axis-aligned grids use precomputed per-axis index
 * tables, others a per-voxel mapping). 'linear' gives float32; 'nearest' keeps the element type.
 */
export function resampleToGrid(
  volume: Volume,
  grid: Grid,
  mode: InterpolationMode,
  options: ResampleOptions = {},
): Volume {
  if (mode === 'label-linear') return resampleLabelsLinear(volume, grid, options);
  const fill = options.fill ?? 0;
  const inDims = [volume.dims[0] ?? 1, volume.dims[1] ?? 1, volume.dims[2] ?? 1] as [number, number, number];
  const outDims = [grid.dims[0] ?? 1, grid.dims[1] ?? 1, grid.dims[2] ?? 1] as [number, number, number];
  const channels = volume.dims[3] ?? 1;
  // Target voxel index → source continuous voxel index.
  const m = multiply4(worldToVoxel(volume), grid.affine);
  const inCount = inDims[0] * inDims[1] * inDims[2];
  const outCount = outDims[0] * outDims[1] * outDims[2];
  const out: VoxelArray =
    mode === 'linear'
      ? new Float32Array(outCount * channels)
      : allocateVoxels(volume.datatype, outCount * channels);
  const scale = Math.max(...[0, 1, 2].map((a) => Math.abs(m[a]![a]!)), 1e-12);
  let diagonal = true;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) if (r !== c && Math.abs(m[r]![c]!) > 1e-9 * scale) diagonal = false;
  for (let c = 0; c < channels; c++) {
    const src = volume.data.subarray(c * inCount, (c + 1) * inCount);
    const dst = out.subarray(c * outCount, (c + 1) * outCount);
    if (diagonal) resampleSeparable(src, inDims, dst, outDims, m, mode === 'nearest', fill);
    else resampleGeneral(src, inDims, dst, outDims, m, mode === 'nearest', fill);
  }
  const dims = [...outDims];
  if (channels > 1) dims.push(channels);
  const affine = grid.affine.map((row) => [...row]);
  return {
    data: out,
    dims,
    spacing: spacingFromAffine(affine),
    affine,
    datatype: mode === 'linear' ? 'float32' : volume.datatype,
    source: volume.source,
  };
}

function resampleSeparable(
  src: VoxelArray,
  inDims: [number, number, number],
  dst: VoxelArray,
  outDims: [number, number, number],
  m: Matrix4,
  nearest: boolean,
  fill: number,
): void {
  const [nx, ny, nz] = outDims;
  const tx = axisTable(m[0]![0]!, m[0]![3]!, nx, inDims[0], 1, nearest);
  const ty = axisTable(m[1]![1]!, m[1]![3]!, ny, inDims[1], inDims[0], nearest);
  const tz = axisTable(m[2]![2]!, m[2]![3]!, nz, inDims[2], inDims[0] * inDims[1], nearest);
  // Linear, upsampling along x: the four source rows an output row needs are first blended along y
  // and z into one float64 row, then each output voxel is one lerp along x; consecutive output rows
  // that map to the same source position reuse the row. When x is downsampled, blending whole source
  // rows costs more than it saves, so each voxel takes its eight neighbours directly.
  const blend = !nearest && nx >= inDims[0];
  const row = new Float64Array(blend ? inDims[0] : 0);
  let blendedY = -1;
  let blendedZ = -1;
  let o = 0;
  for (let z = 0; z < nz; z++) {
    const z0 = tz.i0[z]!;
    const z1 = tz.i1[z]!;
    const wz = tz.w[z]!;
    for (let y = 0; y < ny; y++) {
      if (!tz.inside[z] || !ty.inside[y]) {
        dst.fill(fill, o, o + nx);
        o += nx;
        continue;
      }
      const y0 = ty.i0[y]!;
      const y1 = ty.i1[y]!;
      const wy = ty.w[y]!;
      const r00 = z0 + y0;
      const r01 = z0 + y1;
      const r10 = z1 + y0;
      const r11 = z1 + y1;
      if (nearest) {
        for (let x = 0; x < nx; x++, o++) dst[o] = tx.inside[x] ? src[r00 + tx.i0[x]!]! : fill;
        continue;
      }
      if (blend) {
        if (blendedY < 0 || !sameSource(ty, y, blendedY) || !sameSource(tz, z, blendedZ)) {
          blendRow(src, row, r00, r01, r10, r11, wy, wz);
          blendedY = y;
          blendedZ = z;
        }
        for (let x = 0; x < nx; x++, o++) {
          if (!tx.inside[x]) {
            dst[o] = fill;
            continue;
          }
          const a = row[tx.i0[x]!]!;
          dst[o] = a + tx.w[x]! * (row[tx.i1[x]!]! - a);
        }
        continue;
      }
      for (let x = 0; x < nx; x++, o++) {
        if (!tx.inside[x]) {
          dst[o] = fill;
          continue;
        }
        const x0 = tx.i0[x]!;
        const x1 = tx.i1[x]!;
        const wx = tx.w[x]!;
        const a = src[r00 + x0]! + wx * (src[r00 + x1]! - src[r00 + x0]!);
        const b = src[r01 + x0]! + wx * (src[r01 + x1]! - src[r01 + x0]!);
        const c = src[r10 + x0]! + wx * (src[r10 + x1]! - src[r10 + x0]!);
        const d = src[r11 + x0]! + wx * (src[r11 + x1]! - src[r11 + x0]!);
        const ab = a + wy * (b - a);
        dst[o] = ab + wz * (c + wy * (d - c) - ab);
      }
    }
  }
}

/** Whether target positions t and u of an axis read the same source voxels with the same weight. */
function sameSource(table: AxisTable, t: number, u: number): boolean {
  return table.i0[t] === table.i0[u] && table.i1[t] === table.i1[u] && table.w[t] === table.w[u];
}

/** row[i] = bilinear blend of four source rows at weights wy (r00→r01, r10→r11) and wz (r0·→r1·). */
function blendRow(
  src: VoxelArray,
  row: Float64Array,
  r00: number,
  r01: number,
  r10: number,
  r11: number,
  wy: number,
  wz: number,
): void {
  for (let i = 0; i < row.length; i++) {
    const a = src[r00 + i]!;
    const b = src[r01 + i]!;
    const c = src[r10 + i]!;
    const d = src[r11 + i]!;
    const ab = a + wy * (b - a);
    row[i] = ab + wz * (c + wy * (d - c) - ab);
  }
}

function resampleGeneral(
  src: VoxelArray,
  inDims: [number, number, number],
  dst: VoxelArray,
  outDims: [number, number, number],
  m: Matrix4,
  nearest: boolean,
  fill: number,
): void {
  const [ix, iy, iz] = inDims;
  const sy = ix;
  const sz = ix * iy;
  const [nx, ny, nz] = outDims;
  const lo = -0.5 - 1e-6;
  let o = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      // Source position of (0, y, z); each step in x adds the first column of m.
      let px = m[0]![1]! * y + m[0]![2]! * z + m[0]![3]!;
      let py = m[1]![1]! * y + m[1]![2]! * z + m[1]![3]!;
      let pz = m[2]![1]! * y + m[2]![2]! * z + m[2]![3]!;
      for (let x = 0; x < nx; x++, o++, px += m[0]![0]!, py += m[1]![0]!, pz += m[2]![0]!) {
        if (px < lo || py < lo || pz < lo || px > ix - lo - 1 || py > iy - lo - 1 || pz > iz - lo - 1) {
          dst[o] = fill;
          continue;
        }
        const cx = Math.min(Math.max(snap(px), 0), ix - 1);
        const cy = Math.min(Math.max(snap(py), 0), iy - 1);
        const cz = Math.min(Math.max(snap(pz), 0), iz - 1);
        if (nearest) {
          dst[o] = src[Math.round(cx) + Math.round(cy) * sy + Math.round(cz) * sz]!;
          continue;
        }
        const x0 = Math.floor(cx);
        const y0 = Math.floor(cy);
        const z0 = Math.floor(cz);
        const wx = cx - x0;
        const wy = cy - y0;
        const wz = cz - z0;
        const dx = x0 + 1 < ix ? 1 : 0;
        const dy = y0 + 1 < iy ? sy : 0;
        const dz = z0 + 1 < iz ? sz : 0;
        const i = x0 + y0 * sy + z0 * sz;
        const a = src[i]! + wx * (src[i + dx]! - src[i]!);
        const b = src[i + dy]! + wx * (src[i + dy + dx]! - src[i + dy]!);
        const c = src[i + dz]! + wx * (src[i + dz + dx]! - src[i + dz]!);
        const d = src[i + dz + dy]! + wx * (src[i + dz + dy + dx]! - src[i + dz + dy]!);
        const ab = a + wy * (b - a);
        dst[o] = ab + wz * (c + wy * (d - c) - ab);
      }
    }
  }
}

/** 'label-linear': per-label trilinear interpolation of the one-hot masks, arg-max over labels. */
function resampleLabelsLinear(volume: Volume, grid: Grid, options: ResampleOptions): Volume {
  if ((volume.dims[3] ?? 1) > 1)
    throw new RangeError('label-linear resampling needs a single-channel label map');
  const labels = labelCounts(volume.data, volume.datatype, 65536);
  if (!labels) throw new RangeError('label-linear resampling needs an integer label map');
  const inDims = [volume.dims[0] ?? 1, volume.dims[1] ?? 1, volume.dims[2] ?? 1] as [number, number, number];
  const outDims = [grid.dims[0] ?? 1, grid.dims[1] ?? 1, grid.dims[2] ?? 1] as [number, number, number];
  const m = multiply4(worldToVoxel(volume), grid.affine);
  const scale = Math.max(...[0, 1, 2].map((a) => Math.abs(m[a]![a]!)), 1e-12);
  let diagonal = true;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) if (r !== c && Math.abs(m[r]![c]!) > 1e-9 * scale) diagonal = false;
  const outCount = outDims[0] * outDims[1] * outDims[2];
  const out = allocateVoxels(volume.datatype, outCount);
  out.fill(options.fill ?? 0);
  // Outside the source every mask interpolates to −1, so the fill value stays there.
  const best = new Float32Array(outCount);
  const mask = new Float32Array(volume.data.length);
  const weight = new Float32Array(outCount);
  for (const [label] of labels) {
    for (let i = 0; i < mask.length; i++) mask[i] = volume.data[i] === label ? 1 : 0;
    if (diagonal) resampleSeparable(mask, inDims, weight, outDims, m, false, -1);
    else resampleGeneral(mask, inDims, weight, outDims, m, false, -1);
    for (let i = 0; i < outCount; i++) {
      if (weight[i]! > best[i]!) {
        best[i] = weight[i]!;
        out[i] = label;
      }
    }
  }
  const affine = grid.affine.map((row) => [...row]);
  return {
    data: out,
    dims: [...outDims],
    spacing: spacingFromAffine(affine),
    affine,
    datatype: volume.datatype,
    source: volume.source,
  };
}

/**
 * The inverse of a volume's affine (RAS mm → voxel). A degenerate affine (a zero voxel size,
 * collinear axes) has none: the error names the file it came from.
 */
export function worldToVoxel(volume: Pick<Volume, 'affine' | 'source'>): Matrix4 {
  try {
    return invertAffine(volume.affine);
  } catch (error) {
    throw fileError(
      volume.source?.path ?? 'volume',
      `its affine is degenerate (${(error as Error).message}): ${JSON.stringify(volume.affine)}`,
    );
  }
}
