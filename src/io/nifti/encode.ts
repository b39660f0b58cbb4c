/** Volume → bytes of a .nii file (header, extensions, voxels; little-endian). */
import { allocateVoxels, type DataType, type Volume, type VoxelArray } from '../../volume/volume.js';
import { setHeaderAffine } from './affine.js';
import { BYTES_PER_VOXEL, datatypeCode, isIntegerType } from './datatypes.js';
import { niftiHeaderOf } from './decode.js';
import {
  defaultNiftiHeader,
  extensionBytes,
  NIFTI1_HEADER_SIZE,
  NIFTI2_HEADER_SIZE,
  type NiftiHeader,
  serializeHeader,
} from './header.js';

export interface EncodeOptions {
  /** Element type on disk; defaults to the volume's. Integer targets round and clamp. */
  datatype?: DataType;
  /** The header's 80-character description; defaults to the source header's. */
  description?: string;
  /** 1 or 2; defaults to the source's, or 2 only when a dimension exceeds NIfTI-1's int16 limit. */
  version?: 1 | 2;
}

const RANGES: Record<DataType, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-Infinity, Infinity],
  float64: [-Infinity, Infinity],
};

/**
 * Converts voxels to another element type: rounding to nearest and clamping for integer targets
 * (a typed-array copy alone would truncate and wrap around), NaN → 0.
 */
export function convertVoxels(data: VoxelArray, datatype: DataType): VoxelArray {
  const out = allocateVoxels(datatype, data.length);
  if (!isIntegerType(datatype)) {
    out.set(data);
    return out;
  }
  const [lo, hi] = RANGES[datatype];
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(data[i]!);
    out[i] = v < lo ? lo : v > hi ? hi : Number.isNaN(v) ? 0 : v;
  }
  return out;
}

/** The header to write: the source's fields (codes, description, units, extensions) with this volume's shape, type and affine. */
export function headerForVolume(
  volume: Volume,
  datatype: DataType,
  options: EncodeOptions = {},
): NiftiHeader {
  const source = niftiHeaderOf(volume);
  const h: NiftiHeader = source ? structuredClone(source) : defaultNiftiHeader();
  const dims = volume.dims;
  const ndim = dims.length >= 4 && dims[3]! > 1 ? 4 : 3;
  h.version = options.version ?? (dims.some((d) => d > 32767) ? 2 : (source?.version ?? 1));
  if (h.version === 1 && dims.some((d) => d > 32767)) {
    throw new RangeError(`dims ${dims.join('×')} exceed NIfTI-1's limit of 32767; write NIfTI-2`);
  }
  h.littleEndian = true;
  h.dim = [ndim, dims[0] ?? 1, dims[1] ?? 1, dims[2] ?? 1, ndim === 4 ? dims[3]! : 1, 1, 1, 1];
  h.datatypeCode = datatypeCode(datatype);
  h.bitpix = BYTES_PER_VOXEL[datatype] * 8;
  // Values are written as they are in memory, so any scaling the input had is already applied.
  h.sclSlope = 1;
  h.sclInter = 0;
  h.calMin = 0;
  h.calMax = 0;
  setHeaderAffine(h, volume.affine);
  // As nibabel: the sform carries the affine ("aligned" unless the source said otherwise); the qform
  // keeps the source's code (0 for a new volume) but its fields are filled in either case.
  // A DICOM series' affine is in scanner coordinates: code 1 in both forms, as dcm2niix writes.
  const fromScanner = !source && volume.source?.format === 'dicom';
  if (h.sformCode <= 0) h.sformCode = fromScanner ? 1 : 2;
  if (h.qformCode <= 0) h.qformCode = fromScanner ? 1 : 0;
  if (options.description !== undefined) h.descrip = options.description;
  const headerSize = h.version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  h.voxOffset = headerSize + 4 + extensionBytes(h.extensions).reduce((n, part) => n + part.length, 0);
  return h;
}

/**
 * The bytes of a .nii file as two pieces — header with extensions, then the voxels (a view of the
 * volume's own buffer when no conversion is needed) — so large volumes are never copied to be written.
 */
export function encodeNiftiParts(volume: Volume, options: EncodeOptions = {}): [Uint8Array, Uint8Array] {
  const datatype = options.datatype ?? volume.datatype;
  const count = volume.dims.reduce((a, b) => a * b, 1);
  if (volume.data.length !== count) {
    throw new Error(
      `volume has ${volume.data.length} voxels but dims ${volume.dims.join('×')} need ${count}`,
    );
  }
  const data =
    datatype === volume.datatype && volumeTypeMatches(volume)
      ? volume.data
      : convertVoxels(volume.data, datatype);
  const header = headerForVolume(volume, datatype, options);
  const head = new Uint8Array(header.voxOffset);
  const headerBytes = serializeHeader(header);
  head.set(headerBytes, 0);
  let offset = headerBytes.length;
  for (const part of extensionBytes(header.extensions)) {
    head.set(part, offset);
    offset += part.length;
  }
  return [head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/** Encodes a volume as an uncompressed .nii byte array. */
export function encodeNifti(volume: Volume, options: EncodeOptions = {}): Uint8Array {
  const [head, voxels] = encodeNiftiParts(volume, options);
  const out = new Uint8Array(head.length + voxels.length);
  out.set(head, 0);
  out.set(voxels, head.length);
  return out;
}

/** Whether `data`'s array class is the one `datatype` names (guards against a mislabelled volume). */
function volumeTypeMatches(volume: Volume): boolean {
  return allocateVoxels(volume.datatype, 0).constructor === volume.data.constructor;
}
