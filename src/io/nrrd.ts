// A small NRRD reader (raw and gzip encodings, attached or detached data), enough for the label
// maps that DICOM-SEG tools such as dcmqi and 3D Slicer write beside their segmentations.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileError } from '../errors.js';
import {
  allocateVoxels,
  type DataType,
  type Matrix4,
  spacingFromAffine,
  type Volume,
} from '../volume/volume.js';

const TYPES: Record<string, DataType> = {
  'signed char': 'int8',
  int8: 'int8',
  int8_t: 'int8',
  uchar: 'uint8',
  'unsigned char': 'uint8',
  uint8: 'uint8',
  uint8_t: 'uint8',
  short: 'int16',
  'short int': 'int16',
  'signed short': 'int16',
  'signed short int': 'int16',
  int16: 'int16',
  int16_t: 'int16',
  ushort: 'uint16',
  'unsigned short': 'uint16',
  'unsigned short int': 'uint16',
  uint16: 'uint16',
  uint16_t: 'uint16',
  int: 'int32',
  'signed int': 'int32',
  int32: 'int32',
  int32_t: 'int32',
  uint: 'uint32',
  'unsigned int': 'uint32',
  uint32: 'uint32',
  uint32_t: 'uint32',
  float: 'float32',
  double: 'float64',
};

/** Reads a 3D NRRD file (raw or gzip) as a Volume with a voxel→RAS affine. */
export async function readNrrd(path: string): Promise<Volume> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw fileError(
      path,
      `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return decodeNrrd(bytes, path, async (name) => new Uint8Array(await readFile(join(dirname(path), name))));
}

/** Decodes NRRD bytes; `readDetached` fetches a detached 'data file'. */
export async function decodeNrrd(
  bytes: Uint8Array,
  path: string,
  readDetached?: (name: string) => Promise<Uint8Array>,
): Promise<Volume> {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (!/^NRRD000[1-5]/.test(magic)) throw fileError(path, 'not a NRRD file (no "NRRD000x" magic)');
  const { fields, dataStart } = parseHeader(bytes, path);
  const field = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) throw fileError(path, `NRRD header lacks "${name}"`);
    return value;
  };
  const datatype = TYPES[field('type').toLowerCase()];
  if (!datatype) throw fileError(path, `unsupported NRRD type "${field('type')}"`);
  const sizes = field('sizes').split(/\s+/).map(Number);
  if (Number(field('dimension')) !== 3 || sizes.length !== 3) {
    throw fileError(path, `only 3D NRRD files are supported (dimension ${field('dimension')})`);
  }
  const encoding = field('encoding').toLowerCase();
  let payload: Uint8Array;
  const dataFile = fields.get('data file') ?? fields.get('datafile');
  if (dataFile) {
    if (!readDetached) throw fileError(path, 'detached NRRD data file cannot be read here');
    payload = await readDetached(dataFile);
  } else {
    payload = bytes.subarray(dataStart);
  }
  if (encoding === 'gzip' || encoding === 'gz') {
    try {
      payload = gunzipSync(payload);
    } catch {
      throw fileError(path, 'corrupt gzip data');
    }
  } else if (encoding !== 'raw') {
    throw fileError(path, `unsupported NRRD encoding "${encoding}" (raw and gzip are supported)`);
  }
  const count = sizes[0]! * sizes[1]! * sizes[2]!;
  const data = allocateVoxels(datatype, count);
  const byteLength = count * data.BYTES_PER_ELEMENT;
  const skip = Number(fields.get('byte skip') ?? 0);
  const start = skip === -1 ? payload.length - byteLength : skip;
  if (start < 0 || payload.length - start < byteLength) {
    throw fileError(path, `NRRD data holds ${payload.length} bytes, expected ${byteLength}`);
  }
  const raw = payload.slice(start, start + byteLength);
  const bigEndian = (fields.get('endian') ?? 'little').toLowerCase() === 'big';
  if (bigEndian && data.BYTES_PER_ELEMENT > 1) {
    const w = data.BYTES_PER_ELEMENT;
    for (let i = 0; i < raw.length; i += w) raw.subarray(i, i + w).reverse();
  }
  new Uint8Array(data.buffer).set(raw);
  const affine = nrrdAffine(fields, path);
  return {
    data,
    dims: sizes,
    spacing: spacingFromAffine(affine),
    affine,
    datatype,
    source: { format: 'nrrd', path },
  };
}

function parseHeader(bytes: Uint8Array, path: string): { fields: Map<string, string>; dataStart: number } {
  // The header ends at the first empty line; search only the first megabyte for it.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
  const match = /\r?\n\r?\n/.exec(head);
  if (!match) throw fileError(path, 'NRRD header has no end (no empty line)');
  const fields = new Map<string, string>();
  for (const line of head.slice(0, match.index).split(/\r?\n/).slice(1)) {
    if (line.startsWith('#') || line.includes(':=')) continue;
    const colon = line.indexOf(': ');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 2).trim());
  }
  return { fields, dataStart: match.index + match[0].length };
}

function nrrdAffine(fields: Map<string, string>, path: string): Matrix4 {
  const directionsText = fields.get('space directions');
  const space = (fields.get('space') ?? '').toLowerCase();
  if (!directionsText) {
    const spacings = (fields.get('spacings') ?? '1 1 1').split(/\s+/).map(Number);
    return [
      [spacings[0] || 1, 0, 0, 0],
      [0, spacings[1] || 1, 0, 0],
      [0, 0, spacings[2] || 1, 0],
      [0, 0, 0, 1],
    ];
  }
  const vectors = [...directionsText.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!.split(',').map(Number));
  const origin = /\(([^)]*)\)/
    .exec(fields.get('space origin') ?? '(0,0,0)')?.[1]
    ?.split(',')
    .map(Number) ?? [0, 0, 0];
  if (vectors.length !== 3 || vectors.some((v) => v.length !== 3 || v.some((x) => !Number.isFinite(x)))) {
    throw fileError(path, `unsupported NRRD space directions "${directionsText}"`);
  }
  // NRRD names its world space; mosmos affines are RAS, so LPS (and LAS …) axes are negated.
  const sign = spaceSigns(space, path);
  const row = (r: number) => [
    vectors[0]![r]! * sign[r]!,
    vectors[1]![r]! * sign[r]!,
    vectors[2]![r]! * sign[r]!,
    origin[r]! * sign[r]!,
  ];
  return [row(0), row(1), row(2), [0, 0, 0, 1]].map((r) => r.map((v) => (v === 0 ? 0 : v)));
}

function spaceSigns(space: string, path: string): number[] {
  switch (space) {
    case 'right-anterior-superior':
    case 'ras':
    case 'scanner-xyz':
    case '3d-right-handed':
    case '':
      return [1, 1, 1];
    case 'left-posterior-superior':
    case 'lps':
      return [-1, -1, 1];
    case 'left-anterior-superior':
    case 'las':
      return [-1, 1, 1];
    default:
      throw fileError(path, `unsupported NRRD space "${space}"`);
  }
}
