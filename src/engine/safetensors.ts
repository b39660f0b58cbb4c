import { readFile } from 'node:fs/promises';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { tensor as makeTensor } from './creation.js';
import { Tensor } from './tensor.js';

/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header mapping each name to { dtype, shape, data_offsets } (plus an optional
 * string-to-string "__metadata__"), then the raw little-endian data. We write F32 (and I32/I64 for
 * integer arrays) and read F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL.
 */

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One stored array: floating types are read as Float32Array, integer ones as Int32Array. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  values: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Serialises tensors (F32) and integer arrays (I32) with optional metadata, names sorted. */
export function encodeSafetensors(
  tensors: Record<string, Tensor | { shape: readonly number[]; values: Float32Array | Int32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const item = tensors[name]!;
    const values = item instanceof Tensor ? item.data() : item.values;
    const dtype = values instanceof Int32Array ? 'I32' : 'F32';
    const bytes = new Uint8Array(values.byteLength);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      if (dtype === 'I32') view.setInt32(i * 4, values[i]!, true);
      else view.setFloat32(i * 4, values[i]!, true);
    }
    header[name] = { dtype, shape: [...item.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to an 8-byte boundary so the data is aligned (as the Rust writer does).
  const encoder = new TextEncoder();
  while (encoder.encode(json).length % 8 !== 0) json += ' ';
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, p);
    p += chunk.length;
  }
  return out;
}

/** Parses a safetensors file's bytes; `name` (the path) appears in every error. */
export function decodeSafetensors(bytes: Uint8Array, name: string): SafetensorsFile {
  if (bytes.length < 8)
    throw fileError(name, 'not a safetensors file (shorter than its 8-byte header length)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8 || headerLength > 100_000_000) {
    throw fileError(name, `not a safetensors file (header length ${headerLength} exceeds the file)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
      string,
      unknown
    >;
  } catch {
    throw fileError(name, 'not a safetensors file (header is not JSON)');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw fileError(name, 'safetensors header is not a JSON object');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, SafetensorsEntry> = {};
  for (const [key, raw] of Object.entries(header)) {
    if (key === '__metadata__') {
      for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) metadata[k] = String(v);
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = info.dtype as SafetensorsDtype;
    if (typeof info.dtype !== 'string' || !(dtype in BYTES)) {
      throw fileError(name, `tensor '${key}' has unsupported dtype ${String(info.dtype)}`);
    }
    const shape = info.shape;
    const offsets = info.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw fileError(name, `tensor '${key}' has a bad shape`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2)
      throw fileError(name, `tensor '${key}' has bad data_offsets`);
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((p, d) => p * d, 1);
    if (!(begin >= 0 && end <= dataLength && end - begin === count * BYTES[dtype])) {
      throw fileError(
        name,
        `tensor '${key}' data_offsets [${begin}, ${end}] do not fit its shape or the file`,
      );
    }
    tensors[key] = {
      dtype,
      shape: shape as number[],
      values: decodeValues(view, dataStart + begin, count, dtype, name, key),
    };
  }
  return { tensors, metadata };
}

function decodeValues(
  view: DataView,
  start: number,
  count: number,
  dtype: SafetensorsDtype,
  name: string,
  key: string,
): Float32Array | Int32Array {
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(start + 2 * i, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const word = new Uint32Array(1);
      const asFloat = new Float32Array(word.buffer);
      for (let i = 0; i < count; i++) {
        word[0] = view.getUint16(start + 2 * i, true) << 16;
        out[i] = asFloat[0]!;
      }
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(start + 8 * i, true);
        if (v > 2147483647n || v < -2147483648n)
          throw fileError(name, `tensor '${key}' holds ${v}, beyond 32-bit integers`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, true);
      return out;
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, true);
      return out;
    }
    case 'I8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(start + i);
      return out;
    }
    case 'U8':
    case 'BOOL': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(start + i);
      return out;
    }
  }
}

/** IEEE 754 binary16 to a JavaScript number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Writes tensors to `path` atomically; refuses to overwrite without `force`. */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor | { shape: readonly number[]; values: Float32Array | Int32Array }>,
  options: { metadata?: Record<string, string>; force?: boolean } = {},
): Promise<void> {
  writeFileAtomic(path, encodeSafetensors(tensors, options.metadata), { force: options.force });
}

/** Reads a safetensors file; errors name the path. */
export async function loadSafetensors(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fileError(path, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(error)})`);
  }
  return decodeSafetensors(bytes, path);
}

/** A float tensor on the active backend from a loaded entry (integer entries are converted). */
export function entryToTensor(entry: SafetensorsEntry): Tensor {
  return makeTensor(
    entry.values instanceof Float32Array ? entry.values : Float32Array.from(entry.values),
    entry.shape,
  );
}
