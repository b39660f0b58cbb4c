/** Bytes of a .nii or .nii.gz file → Volume. */
import { gunzipSync } from 'node:zlib';
import { fileError } from '../../errors.js';
import {
  allocateVoxels,
  type DataType,
  spacingFromAffine,
  type Volume,
  type VoxelArray,
} from '../../volume/volume.js';
import { headerAffine } from './affine.js';
import { BYTES_PER_VOXEL, datatypeFromCode } from './datatypes.js';
import {
  NIFTI1_HEADER_SIZE,
  NIFTI2_HEADER_SIZE,
  type NiftiHeader,
  parseHeader,
  readExtensions,
} from './header.js';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Whether bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates a gzip file in one call. The trailer's ISIZE (uncompressed size mod 2³²) sizes zlib's output
 * chunk so a 150 MB volume is produced in one buffer instead of thousands of 16 KiB pieces that would
 * then be concatenated; the cap keeps a forged trailer from reserving more than deflate can expand to.
 */
export function gunzipFile(bytes: Uint8Array, name: string): Buffer {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isize = bytes.length >= 18 ? view.getUint32(bytes.length - 4, true) : 0;
  const chunkSize = Math.max(64 * 1024, Math.min(isize + 1, bytes.length * 1032, 2 ** 30));
  try {
    return gunzipSync(bytes, { chunkSize });
  } catch (error) {
    const message = (error as Error).message;
    if (/unexpected end of file/i.test(message))
      throw fileError(name, 'truncated gzip data (unexpected end of file)');
    throw fileError(name, `corrupt gzip data (${message})`);
  }
}

/** Typed-array constructor for an element type, viewing `length` elements of a buffer at `offset`. */
function viewVoxels(datatype: DataType, buffer: ArrayBufferLike, offset: number, length: number): VoxelArray {
  switch (datatype) {
    case 'uint8':
      return new Uint8Array(buffer, offset, length);
    case 'int8':
      return new Int8Array(buffer, offset, length);
    case 'int16':
      return new Int16Array(buffer, offset, length);
    case 'uint16':
      return new Uint16Array(buffer, offset, length);
    case 'int32':
      return new Int32Array(buffer, offset, length);
    case 'uint32':
      return new Uint32Array(buffer, offset, length);
    case 'float32':
      return new Float32Array(buffer, offset, length);
    case 'float64':
      return new Float64Array(buffer, offset, length);
  }
}

/** Reverses the byte order of every element in place. */
function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** Whether scl_slope/scl_inter change the values (nibabel: a slope of 0 or NaN means "no scaling"). */
export function hasScaling(h: NiftiHeader): boolean {
  if (!Number.isFinite(h.sclSlope) || h.sclSlope === 0) return false;
  const inter = Number.isFinite(h.sclInter) ? h.sclInter : 0;
  return h.sclSlope !== 1 || inter !== 0;
}

/** The shape the header declares, as Volume dims ([nx, ny, nz] or [nx, ny, nz, channels]). */
function volumeDims(h: NiftiHeader): number[] {
  const ndim = h.dim[0]!;
  if (!Number.isInteger(ndim) || ndim < 1 || ndim > 7) throw new Error(`dim[0] is ${ndim}; expected 1 to 7`);
  const size = (i: number) => (i <= ndim ? h.dim[i]! : 1);
  for (let i = 1; i <= ndim; i++) {
    if (!Number.isInteger(h.dim[i]) || h.dim[i]! < 1)
      throw new Error(`dim[${i}] is ${h.dim[i]}; expected ≥ 1`);
  }
  // Everything past the third axis (time, vector components) becomes channels.
  let channels = 1;
  for (let i = 4; i <= ndim; i++) channels *= size(i);
  const dims = [size(1), size(2), size(3)];
  if (channels > 1) dims.push(channels);
  return dims;
}

/**
 * Decodes a NIfTI-1/-2 file (gzip-compressed or not); `name` is used in error messages. When no
 * scaling or byte swap is needed, `data` is a view into the file's buffer (check its byteOffset).
 */
export function decodeNifti(bytes: Uint8Array, name: string): Volume {
  const raw: Uint8Array = isGzip(bytes) ? gunzipFile(bytes, name) : bytes;
  let header: NiftiHeader;
  let dims: number[];
  let datatype: DataType;
  try {
    header = parseHeader(raw);
    dims = volumeDims(header);
    datatype = datatypeFromCode(header.datatypeCode);
  } catch (error) {
    throw fileError(name, (error as Error).message);
  }
  const headerEnd = (header.version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE) + 4;
  // Some writers leave vox_offset 0 in single files; the voxels then follow the header directly.
  const offset = header.voxOffset === 0 ? headerEnd : header.voxOffset;
  if (!Number.isInteger(offset) || offset < headerEnd - 4) {
    throw fileError(name, `vox_offset ${header.voxOffset} points inside the header`);
  }
  header.extensions = readExtensions(raw, header);
  const width = BYTES_PER_VOXEL[datatype];
  const count = dims.reduce((a, b) => a * b, 1);
  const needed = count * width;
  const available = raw.length - offset;
  if (available < needed) {
    throw fileError(
      name,
      `voxel data is ${Math.max(0, available)} bytes but the header (${dims.join('×')} ${datatype} at offset ${offset}) needs ${needed}`,
    );
  }
  let data: VoxelArray;
  const start = raw.byteOffset + offset;
  if (header.littleEndian === HOST_LITTLE_ENDIAN && start % width === 0) {
    // No copy: the voxels stay in the inflated (or read) buffer.
    data = viewVoxels(datatype, raw.buffer, start, count);
  } else {
    data = allocateVoxels(datatype, count);
    const target = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    target.set(raw.subarray(offset, offset + needed));
    if (header.littleEndian !== HOST_LITTLE_ENDIAN && width > 1) swapBytes(target, width);
  }
  let outType = datatype;
  if (hasScaling(header)) {
    const slope = header.sclSlope;
    const inter = Number.isFinite(header.sclInter) ? header.sclInter : 0;
    const scaled = datatype === 'float64' ? new Float64Array(count) : new Float32Array(count);
    for (let i = 0; i < count; i++) scaled[i] = data[i]! * slope + inter;
    data = scaled;
    outType = datatype === 'float64' ? 'float64' : 'float32';
  }
  const affine = headerAffine(header);
  return {
    data,
    dims,
    spacing: spacingFromAffine(affine),
    affine,
    datatype: outType,
    source: { format: 'nifti', path: name, header },
  };
}

/** The NIfTI header a volume was read with, if it came from a NIfTI file. */
export function niftiHeaderOf(volume: Volume): NiftiHeader | undefined {
  if (volume.source?.format !== 'nifti' || !volume.source.header) return undefined;
  const header = volume.source.header;
  return typeof header['version'] === 'number' && Array.isArray(header['pixdim'])
    ? (header as NiftiHeader)
    : undefined;
}
