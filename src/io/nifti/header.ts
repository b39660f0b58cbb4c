/**
 * The NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers as one plain object, with readers and writers
 * for both byte layouts. Field names follow nifti1.h / nifti2.h.
 */

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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
    const f32 = (o: number) => view.getFloat32(o, le);
    const i16 = (o: number) => view.getInt16(o, le);
    h.dimInfo = bytes[39]!;
    h.dim = Array.from({ length: 8 }, (_, i) => i16(40 + 2 * i));
    h.intentP1 = f32(56);
    h.intentP2 = f32(60);
    h.intentP3 = f32(64);
    h.intentCode = i16(68);
    h.datatypeCode = i16(70);
    h.bitpix = i16(72);
    h.sliceStart = i16(74);
    h.pixdim = Array.from({ length: 8 }, (_, i) => f32(76 + 4 * i));
    h.voxOffset = f32(108);
    h.sclSlope = f32(112);
    h.sclInter = f32(116);
    h.sliceEnd = i16(120);
    h.sliceCode = bytes[122]!;
    h.xyztUnits = bytes[123]!;
    h.calMax = f32(124);
    h.calMin = f32(128);
    h.sliceDuration = f32(132);
    h.toffset = f32(136);
    h.descrip = readString(bytes, 148, 80);
    h.auxFile = readString(bytes, 228, 24);
    h.qformCode = i16(252);
    h.sformCode = i16(254);
    [h.quaternB, h.quaternC, h.quaternD, h.qoffsetX, h.qoffsetY, h.qoffsetZ] = [0, 1, 2, 3, 4, 5].map((i) =>
      f32(256 + 4 * i),
    ) as [number, number, number, number, number, number];
    h.srowX = [0, 1, 2, 3].map((i) => f32(280 + 4 * i));
    h.srowY = [0, 1, 2, 3].map((i) => f32(296 + 4 * i));
    h.srowZ = [0, 1, 2, 3].map((i) => f32(312 + 4 * i));
    h.intentName = readString(bytes, 328, 16);
  } else {
    for (let i = 0; i < 8; i++) {
      if (bytes[4 + i] !== NIFTI2_MAGIC[i])
        throw new Error(`wrong magic "${readString(bytes, 4, 8)}" (expected "n+2")`);
    }
    const f64 = (o: number) => view.getFloat64(o, le);
    const i64 = (o: number) => Number(view.getBigInt64(o, le));
    const i32 = (o: number) => view.getInt32(o, le);
    h.datatypeCode = view.getInt16(12, le);
    h.bitpix = view.getInt16(14, le);
    h.dim = Array.from({ length: 8 }, (_, i) => i64(16 + 8 * i));
    h.intentP1 = f64(80);
    h.intentP2 = f64(88);
    h.intentP3 = f64(96);
    h.pixdim = Array.from({ length: 8 }, (_, i) => f64(104 + 8 * i));
    h.voxOffset = i64(168);
    h.sclSlope = f64(176);
    h.sclInter = f64(184);
    h.calMax = f64(192);
    h.calMin = f64(200);
    h.sliceDuration = f64(208);
    h.toffset = f64(216);
    h.sliceStart = i64(224);
    h.sliceEnd = i64(232);
    h.descrip = readString(bytes, 240, 80);
    h.auxFile = readString(bytes, 320, 24);
    h.qformCode = i32(344);
    h.sformCode = i32(348);
    [h.quaternB, h.quaternC, h.quaternD, h.qoffsetX, h.qoffsetY, h.qoffsetZ] = [0, 1, 2, 3, 4, 5].map((i) =>
      f64(352 + 8 * i),
    ) as [number, number, number, number, number, number];
    h.srowX = [0, 1, 2, 3].map((i) => f64(400 + 8 * i));
    h.srowY = [0, 1, 2, 3].map((i) => f64(432 + 8 * i));
    h.srowZ = [0, 1, 2, 3].map((i) => f64(464 + 8 * i));
    h.sliceCode = i32(496);
    h.xyztUnits = i32(500);
    h.intentCode = i32(504);
    h.intentName = readString(bytes, 508, 16);
    h.dimInfo = bytes[524]!;
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
    const f32 = (o: number, v: number) => view.setFloat32(o, v, le);
    const i16 = (o: number, v: number) => view.setInt16(o, v, le);
    view.setInt32(0, NIFTI1_HEADER_SIZE, le);
    bytes[38] = 0x72; // regular = 'r', as nibabel writes
    bytes[39] = h.dimInfo;
    h.dim.forEach((v, i) => {
      i16(40 + 2 * i, v);
    });
    f32(56, h.intentP1);
    f32(60, h.intentP2);
    f32(64, h.intentP3);
    i16(68, h.intentCode);
    i16(70, h.datatypeCode);
    i16(72, h.bitpix);
    i16(74, h.sliceStart);
    h.pixdim.forEach((v, i) => {
      f32(76 + 4 * i, v);
    });
    f32(108, h.voxOffset);
    f32(112, h.sclSlope);
    f32(116, h.sclInter);
    i16(120, h.sliceEnd);
    bytes[122] = h.sliceCode;
    bytes[123] = h.xyztUnits;
    f32(124, h.calMax);
    f32(128, h.calMin);
    f32(132, h.sliceDuration);
    f32(136, h.toffset);
    writeString(bytes, 148, 80, h.descrip);
    writeString(bytes, 228, 24, h.auxFile);
    i16(252, h.qformCode);
    i16(254, h.sformCode);
    [h.quaternB, h.quaternC, h.quaternD, h.qoffsetX, h.qoffsetY, h.qoffsetZ].forEach((v, i) => {
      f32(256 + 4 * i, v);
    });
    h.srowX.forEach((v, i) => {
      f32(280 + 4 * i, v);
    });
    h.srowY.forEach((v, i) => {
      f32(296 + 4 * i, v);
    });
    h.srowZ.forEach((v, i) => {
      f32(312 + 4 * i, v);
    });
    writeString(bytes, 328, 16, h.intentName);
    writeString(bytes, 344, 4, 'n+1');
  } else {
    const f64 = (o: number, v: number) => view.setFloat64(o, v, le);
    const i64 = (o: number, v: number) => view.setBigInt64(o, BigInt(Math.trunc(v)), le);
    const i32 = (o: number, v: number) => view.setInt32(o, v, le);
    view.setInt32(0, NIFTI2_HEADER_SIZE, le);
    bytes.set(NIFTI2_MAGIC, 4);
    view.setInt16(12, h.datatypeCode, le);
    view.setInt16(14, h.bitpix, le);
    h.dim.forEach((v, i) => {
      i64(16 + 8 * i, v);
    });
    f64(80, h.intentP1);
    f64(88, h.intentP2);
    f64(96, h.intentP3);
    h.pixdim.forEach((v, i) => {
      f64(104 + 8 * i, v);
    });
    i64(168, h.voxOffset);
    f64(176, h.sclSlope);
    f64(184, h.sclInter);
    f64(192, h.calMax);
    f64(200, h.calMin);
    f64(208, h.sliceDuration);
    f64(216, h.toffset);
    i64(224, h.sliceStart);
    i64(232, h.sliceEnd);
    writeString(bytes, 240, 80, h.descrip);
    writeString(bytes, 320, 24, h.auxFile);
    i32(344, h.qformCode);
    i32(348, h.sformCode);
    [h.quaternB, h.quaternC, h.quaternD, h.qoffsetX, h.qoffsetY, h.qoffsetZ].forEach((v, i) => {
      f64(352 + 8 * i, v);
    });
    h.srowX.forEach((v, i) => {
      f64(400 + 8 * i, v);
    });
    h.srowY.forEach((v, i) => {
      f64(432 + 8 * i, v);
    });
    h.srowZ.forEach((v, i) => {
      f64(464 + 8 * i, v);
    });
    i32(496, h.sliceCode);
    i32(500, h.xyztUnits);
    i32(504, h.intentCode);
    writeString(bytes, 508, 16, h.intentName);
    bytes[524] = h.dimInfo;
  }
  bytes[size] = h.extensions.length > 0 ? 1 : 0;
  return bytes;
}
