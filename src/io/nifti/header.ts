/**
 * The NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers as one plain object, with readers and writers
 * for both byte layouts. Field names follow nifti1.h / nifti2.h; their offsets and types are one table
 * (header-fields.ts) that parsing and serialising share.
 */
import { readHeaderFields, writeHeaderFields } from './header-fields.js';

/** Every header field mosmos reads and writes back; plain JSON-able data (kept in `volume.source.header`). */
// A type alias (not an interface) so it is assignable to the Volume source's Record<string, unknown>.
export type NiftiHeader = {
  /** 1 for NIfTI-1, 2 for NIfTI-2. */
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[0] (number of dimensions) then dim[1..7]. */
  dim: number[];
  intentP1: number;
  intentP2: number;
  intentP3: number;
  intentCode: number;
  intentName: string;
  datatypeCode: number;
  bitpix: number;
  sliceStart: number;
  sliceEnd: number;
  sliceCode: number;
  sliceDuration: number;
  dimInfo: number;
  /** pixdim[0] is qfac (±1); pixdim[1..3] voxel size; pixdim[4] the time step. */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  xyztUnits: number;
  calMax: number;
  calMin: number;
  toffset: number;
  descrip: string;
  auxFile: string;
  qformCode: number;
  sformCode: number;
  quaternB: number;
  quaternC: number;
  quaternD: number;
  qoffsetX: number;
  qoffsetY: number;
  qoffsetZ: number;
  srowX: number[];
  srowY: number[];
  srowZ: number[];
  /** Header extensions in file order, their payloads base64-encoded so the header stays JSON-able. */
  extensions: NiftiExtension[];
};

export interface NiftiExtension {
  code: number;
  /** The extension's payload (without its 8-byte size/code prefix), base64. */
  data: string;
}

export const NIFTI1_HEADER_SIZE = 348;
export const NIFTI2_HEADER_SIZE = 540;
const NIFTI2_MAGIC = [0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]; // "n+2\0\r\n\032\n"

/** A header for a new file: no scaling, no codes, unit x/y/z in mm and seconds. */
export function defaultNiftiHeader(): NiftiHeader {
  return {
    version: 1,
    littleEndian: true,
    dim: [3, 1, 1, 1, 1, 1, 1, 1],
    intentP1: 0,
    intentP2: 0,
    intentP3: 0,
    intentCode: 0,
    intentName: '',
    datatypeCode: 2,
    bitpix: 8,
    sliceStart: 0,
    sliceEnd: 0,
    sliceCode: 0,
    sliceDuration: 0,
    dimInfo: 0,
    pixdim: [1, 1, 1, 1, 1, 1, 1, 1],
    voxOffset: 352,
    sclSlope: 1,
    sclInter: 0,
    xyztUnits: 10, // NIFTI_UNITS_MM | NIFTI_UNITS_SEC
    calMax: 0,
    calMin: 0,
    toffset: 0,
    descrip: '',
    auxFile: '',
    qformCode: 0,
    sformCode: 0,
    quaternB: 0,
    quaternC: 0,
    quaternD: 0,
    qoffsetX: 0,
    qoffsetY: 0,
    qoffsetZ: 0,
    srowX: [1, 0, 0, 0],
    srowY: [0, 1, 0, 0],
    srowZ: [0, 0, 1, 0],
    extensions: [],
  };
}

/**
 * Which header a file starts with, from sizeof_hdr read in both byte orders; null when it is neither
 * (then the file is not NIfTI).
 */
export function detectHeader(bytes: Uint8Array): { version: 1 | 2; littleEndian: boolean } | null {
  if (bytes.length < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === NIFTI1_HEADER_SIZE) return { version: 1, littleEndian };
    if (size === NIFTI2_HEADER_SIZE) return { version: 2, littleEndian };
  }
  return null;
}

function readString(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return new TextDecoder('latin1').decode(bytes.subarray(offset, end));
}

function writeString(bytes: Uint8Array, offset: number, length: number, value: string): void {
  // Latin-1, truncated to leave at least no overflow; the field need not be NUL-terminated when full.
  for (let i = 0; i < length; i++) bytes[offset + i] = i < value.length ? value.charCodeAt(i) & 0xff : 0;
}

/**
 * Parses the fixed header; throws a plain Error with the problem (the caller adds the path).
 * Extensions are read separately by `readExtensions` once the whole prefix up to vox_offset is known.
 */
export function parseHeader(bytes: Uint8Array): NiftiHeader {
  const kind = detectHeader(bytes);
  if (!kind) throw new Error('not a NIfTI file (sizeof_hdr is neither 348 nor 540 in either byte order)');
  const size = kind.version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  if (bytes.length < size)
    throw new Error(`file ends inside the ${size}-byte header (${bytes.length} bytes)`);
  const le = kind.littleEndian;
  const h = defaultNiftiHeader();
  h.version = kind.version;
  h.littleEndian = le;
  if (kind.version === 1) {
    const magic = readString(bytes, 344, 4);
    if (magic !== 'n+1' && magic !== 'ni1')
      throw new Error(`wrong magic "${magic}" (expected "n+1" or "ni1")`);
    if (magic === 'ni1')
      throw new Error('a .hdr/.img pair ("ni1" magic) is not supported; convert it to .nii');
    readHeaderFields(bytes, h, 1, le);
  } else {
    for (let i = 0; i < 8; i++) {
      if (bytes[4 + i] !== NIFTI2_MAGIC[i])
        throw new Error(`wrong magic "${readString(bytes, 4, 8)}" (expected "n+2")`);
    }
    readHeaderFields(bytes, h, 2, le);
  }
  return h;
}

/**
 * Reads the extensions between the header and vox_offset. Malformed sizes end the list rather than
 * failing, as nibabel does not reject such files either; the voxels are still where vox_offset says.
 */
export function readExtensions(bytes: Uint8Array, header: NiftiHeader): NiftiExtension[] {
  const start = header.version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  if (bytes.length < start + 4 || bytes[start] === 0) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(header.voxOffset, bytes.length);
  const extensions: NiftiExtension[] = [];
  let offset = start + 4;
  while (offset + 8 <= end) {
    const esize = view.getInt32(offset, header.littleEndian);
    const code = view.getInt32(offset + 4, header.littleEndian);
    if (esize < 8 || offset + esize > end) break;
    const payload = bytes.subarray(offset + 8, offset + esize);
    extensions.push({ code, data: Buffer.from(payload).toString('base64') });
    offset += esize;
  }
  return extensions;
}

/** Bytes the extensions occupy after the header, including the 4-byte extension flag. */
export function extensionBytes(extensions: readonly NiftiExtension[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const extension of extensions) {
    const payload = Buffer.from(extension.data, 'base64');
    // esize includes the 8-byte prefix and must be a multiple of 16 (nifti1.h).
    const esize = Math.ceil((payload.length + 8) / 16) * 16;
    const part = new Uint8Array(esize);
    const view = new DataView(part.buffer);
    view.setInt32(0, esize, true);
    view.setInt32(4, extension.code, true);
    part.set(payload, 8);
    parts.push(part);
  }
  return parts;
}

/** Serialises the fixed header (little-endian) followed by the 4-byte extension flag. */
export function serializeHeader(h: NiftiHeader): Uint8Array {
  const size = h.version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  const bytes = new Uint8Array(size + 4);
  const view = new DataView(bytes.buffer);
  const le = true;
  if (h.version === 1) {
    view.setInt32(0, NIFTI1_HEADER_SIZE, le);
    bytes[38] = 0x72; // regular = 'r', as nibabel writes
    writeHeaderFields(bytes, h, 1, le);
    writeString(bytes, 344, 4, 'n+1');
  } else {
    view.setInt32(0, NIFTI2_HEADER_SIZE, le);
    bytes.set(NIFTI2_MAGIC, 4);
    writeHeaderFields(bytes, h, 2, le);
  }
  bytes[size] = h.extensions.length > 0 ? 1 : 0;
  return bytes;
}
