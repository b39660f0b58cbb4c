// Turns one frame of stored pixel data (native or compressed) into its stored values, one typed
// array element per pixel, with the Image Pixel module's bit layout applied.
import { fileError } from '../../errors.js';
import { decodeJpeg2000, decodeJpegLossless, decodeJpegLs } from './codecs.js';
import type { DicomInstance, NaturalDataset } from './instance.js';
import { hasEndOfImageMarker } from './pixel-extent.js';
import { decodeRleFrame } from './rle.js';
import { pixelEncoding, transferSyntaxName } from './transfer-syntax.js';

/** The Image Pixel module attributes that decide how pixel bytes become values. */
export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  /** 0 = unsigned, 1 = two's complement. */
  pixelRepresentation: number;
  numberOfFrames: number;
}

export type StoredValues = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** Reads the Image Pixel module of an instance, refusing what mosmos cannot turn into a volume. */
export function pixelModule(instance: DicomInstance): PixelModule {
  const d = instance.dataset;
  const number = (key: string, fallback?: number): number => {
    const value = first(d, key);
    const n = value === undefined || value === '' ? fallback : Number(value);
    if (n === undefined || !Number.isFinite(n)) throw fileError(instance.path, `missing or invalid ${key}`);
    return n;
  };
  const module: PixelModule = {
    rows: number('Rows'),
    columns: number('Columns'),
    samplesPerPixel: number('SamplesPerPixel', 1),
    bitsAllocated: number('BitsAllocated'),
    bitsStored: number('BitsStored', number('BitsAllocated')),
    pixelRepresentation: number('PixelRepresentation', 0),
    numberOfFrames: number('NumberOfFrames', 1),
  };
  if (![1, 8, 16, 32].includes(module.bitsAllocated)) {
    throw fileError(
      instance.path,
      `unsupported BitsAllocated ${module.bitsAllocated} (expected 1, 8, 16 or 32)`,
    );
  }
  if (module.samplesPerPixel !== 1) {
    const photometric = String(first(d, 'PhotometricInterpretation') ?? '');
    throw fileError(
      instance.path,
      `colour images (${photometric}, ${module.samplesPerPixel} samples) are not volumes`,
    );
  }
  return module;
}

/** Decodes frame `index` (0-based) of an instance into stored values (rows·columns of them, row by row). */
export async function decodeFrame(
  instance: DicomInstance,
  module: PixelModule,
  index: number,
): Promise<StoredValues> {
  const pixels = instance.pixelData;
  if (!pixels) throw fileError(instance.path, 'no pixel data');
  const encoding = pixelEncoding(instance.transferSyntax);
  if (!encoding) {
    throw fileError(
      instance.path,
      `unsupported transfer syntax ${transferSyntaxName(instance.transferSyntax)}`,
    );
  }
  const count = module.rows * module.columns;
  try {
    if (!pixels.encapsulated) {
      if (module.bitsAllocated === 1) return unpackBitFrame(pixels.bytes, count, index);
      const bytesPerPixel = module.bitsAllocated / 8;
      const start = index * count * bytesPerPixel;
      if (start + count * bytesPerPixel > pixels.bytes.length) {
        throw new Error(`pixel data too short for frame ${index + 1} of ${module.rows}×${module.columns}`);
      }
      const bytes = pixels.bytes.slice(start, start + count * bytesPerPixel);
      if (!pixels.littleEndian) swapBytes(bytes, bytesPerPixel);
      return withBitLayout(typedValues(bytes, module), module);
    }
    const frame = pixels.frames[index];
    if (!frame) throw new Error(`frame ${index + 1} missing from the encapsulated pixel data`);
    const bytesPerSample = module.bitsAllocated <= 8 ? 1 : module.bitsAllocated / 8;
    let bytes: Uint8Array;
    if (encoding === 'rle') {
      bytes = decodeRleFrame(frame, count, bytesPerSample, module.samplesPerPixel);
    } else {
      if (!hasEndOfImageMarker(frame)) {
        throw new Error(`frame ${index + 1} is cut short (its codestream has no end-of-image marker)`);
      }
      const decoded =
        encoding === 'jpeg-2000'
          ? await decodeJpeg2000(frame)
          : encoding === 'jpeg-ls'
            ? await decodeJpegLs(frame)
            : decodeJpegLossless(frame, bytesPerSample);
      if (decoded.width !== module.columns || decoded.height !== module.rows) {
        throw new Error(
          `compressed frame is ${decoded.width}×${decoded.height}, header says ${module.columns}×${module.rows}`,
        );
      }
      bytes = widen(decoded.bytes, decoded.bitsPerSample <= 8 ? 1 : 2, bytesPerSample);
    }
    if (bytes.length < count * bytesPerSample)
      throw new Error('decoded frame is shorter than rows × columns');
    return withBitLayout(typedValues(bytes.subarray(0, count * bytesPerSample), module), module);
  } catch (error) {
    if ((error as Error).name === 'InputError') throw error;
    // The WASM codecs throw bare numbers (C++ exception pointers) on corrupt or cut codestreams.
    const reason = error instanceof Error ? error.message : 'the codec rejected it (corrupt or truncated)';
    throw fileError(instance.path, `cannot decode pixel data: ${reason}`);
  }
}

function first(d: NaturalDataset, key: string): unknown {
  const value = d[key];
  return Array.isArray(value) ? value[0] : value;
}

function unpackBitFrame(bytes: Uint8Array, count: number, index: number): Uint8Array {
  // Bit-packed frames (e.g. binary segmentations) follow each other without byte alignment.
  const out = new Uint8Array(count);
  const firstBit = index * count;
  if (firstBit + count > bytes.length * 8) throw new Error(`pixel data too short for frame ${index + 1}`);
  const end = firstBit + count;
  for (let byte = Math.floor(firstBit / 8); byte * 8 < end; byte++) {
    const value = bytes[byte]!;
    if (value === 0) continue; // most bytes of a mask are empty
    for (let b = 0; b < 8; b++) {
      const bit = byte * 8 + b;
      if (bit >= firstBit && bit < end && (value >> b) & 1) out[bit - firstBit] = 1;
    }
  }
  return out;
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

// A codec may give 8-bit samples for 16-bit allocated data (or the reverse); bring it to the header's width.
function widen(bytes: Uint8Array, from: number, to: number): Uint8Array {
  if (from === to) return bytes;
  const count = bytes.length / from;
  const out = new Uint8Array(count * to);
  if (from === 1 && to === 2) for (let i = 0; i < count; i++) out[2 * i] = bytes[i]!;
  else if (from === 2 && to === 1) for (let i = 0; i < count; i++) out[i] = bytes[2 * i]!;
  else throw new Error(`cannot convert ${from * 8}-bit samples to ${to * 8}-bit`);
  return out;
}

function typedValues(bytes: Uint8Array, module: PixelModule): StoredValues {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = aligned;
  const signed = module.pixelRepresentation === 1;
  switch (module.bitsAllocated) {
    case 8:
      return signed
        ? new Int8Array(buffer, byteOffset, byteLength)
        : new Uint8Array(buffer, byteOffset, byteLength);
    case 16:
      return signed
        ? new Int16Array(buffer, byteOffset, byteLength / 2)
        : new Uint16Array(buffer, byteOffset, byteLength / 2);
    default:
      return signed
        ? new Int32Array(buffer, byteOffset, byteLength / 4)
        : new Uint32Array(buffer, byteOffset, byteLength / 4);
  }
}

// Values live in the low BitsStored bits; higher bits may hold overlays or garbage. Signed values
// are sign-extended from bit BitsStored−1 (this also repairs codecs that return them unsigned).
function withBitLayout(values: StoredValues, module: PixelModule): StoredValues {
  const bits = module.bitsStored;
  if (bits >= module.bitsAllocated || bits >= 32) return values;
  if (module.pixelRepresentation === 1) {
    const shift = 32 - bits;
    for (let i = 0; i < values.length; i++) values[i] = (values[i]! << shift) >> shift;
  } else {
    const mask = 2 ** bits - 1;
    for (let i = 0; i < values.length; i++) values[i] = values[i]! & mask;
  }
  return values;
}
