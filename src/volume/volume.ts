/** The voxel element types mosmos reads and writes (NIfTI's common datatypes). */
export type DataType = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

export type VoxelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** A 4×4 matrix as four rows of four numbers (row-major), e.g. the voxel→RAS-mm affine. */
export type Matrix4 = number[][];

/**
 * Where a volume came from, kept so that outputs can be written back in the input's own grid and
 * header (e.g. the NIfTI header with its qform/sform codes, or the DICOM series identity).
 */
export interface VolumeSource {
  /** 'nifti' | 'dicom' | 'synthetic' … */
  format: string;
  path?: string;
  /** Format-specific header fields the writer may reuse; plain JSON-able data. */
  header?: Record<string, unknown>;
}

/**
 * A medical image volume: voxels with x fastest, then y, then z, then channel (4th dim).
 * `affine` maps voxel indices (i, j, k, 1) to RAS millimetres, as in nibabel.
 */
export interface Volume<T extends VoxelArray = VoxelArray> {
  data: T;
  /** [nx, ny, nz] or [nx, ny, nz, channels]. */
  dims: number[];
  /** Voxel size in mm along i, j, k (always the column norms of the affine's 3×3 part). */
  spacing: [number, number, number];
  affine: Matrix4;
  /** The element type of `data`; also the type written back on save unless asked otherwise. */
  datatype: DataType;
  source?: VolumeSource;
}

/** Number of voxels in one channel (nx·ny·nz). */
export function voxelCount(volume: Pick<Volume, 'dims'>): number {
  return (volume.dims[0] ?? 1) * (volume.dims[1] ?? 1) * (volume.dims[2] ?? 1);
}

/** Number of channels (the 4th dim, 1 for a 3D volume). */
export function channelCount(volume: Pick<Volume, 'dims'>): number {
  return volume.dims[3] ?? 1;
}

/** Voxel spacing implied by an affine: the norms of its first three columns. */
export function spacingFromAffine(affine: Matrix4): [number, number, number] {
  const norm = (c: number) => Math.hypot(affine[0]![c]!, affine[1]![c]!, affine[2]![c]!);
  return [norm(0), norm(1), norm(2)];
}

/** A typed array of `datatype` with `length` elements. */
export function allocateVoxels(datatype: DataType, length: number): VoxelArray {
  switch (datatype) {
    case 'uint8':
      return new Uint8Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'uint16':
      return new Uint16Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
  }
}

/** The same grid (dims, affine, source) with new voxels, e.g. a label map predicted for an image. */
export function withVoxels<T extends VoxelArray>(
  like: Volume,
  data: T,
  datatype: DataType,
  channels = 1,
): Volume<T> {
  const dims = like.dims.slice(0, 3);
  if (channels > 1) dims.push(channels);
  return {
    data,
    dims,
    spacing: [...like.spacing],
    affine: like.affine.map((r) => [...r]),
    datatype,
    source: like.source,
  };
}
