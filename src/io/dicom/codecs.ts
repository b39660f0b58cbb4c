// Decoders for compressed DICOM frames: the ecosystem's WebAssembly builds of OpenJPEG (JPEG 2000)
// and CharLS (JPEG-LS) from cornerstonejs, and jpeg-lossless-decoder-js for JPEG Lossless.
// RLE lives in rle.ts. The WASM modules are loaded once, on first use.
import { createRequire } from 'node:module';
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';

const require = createRequire(import.meta.url);

/** What a codec reports about the frame it decoded. */
export interface DecodedFrame {
  /** Little-endian sample bytes, interleaved when there are several components. */
  bytes: Uint8Array;
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

/** The shape shared by the OpenJPEG and CharLS decoders (Emscripten classes). */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): FrameInfo;
  delete(): void;
}

type DecoderClass = new () => WasmDecoder;
type EmscriptenFactory = (module: Record<string, unknown>) => Promise<Record<string, unknown>>;

const loaded = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Instantiates an Emscripten codec module from its package, giving the .wasm path explicitly (the
 * glue's own guess fails once bundled) and silencing its progress messages on stdout.
 */
export function loadWasmCodec(glue: string, wasm: string): Promise<Record<string, unknown>> {
  let module = loaded.get(glue);
  if (!module) {
    const factory = require(glue) as EmscriptenFactory;
    const wasmPath = require.resolve(wasm);
    module = factory({ locateFile: () => wasmPath, print: () => {}, printErr: () => {} });
    loaded.set(glue, module);
  }
  return module;
}

async function decodeWithWasm(glue: string, wasm: string, className: string, frame: Uint8Array) {
  const module = await loadWasmCodec(glue, wasm);
  const decoder = new (module[className] as DecoderClass)();
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // The decoded buffer is a view into WASM memory, reused by the next decode: copy it out.
    return { ...frameInfo(info), bytes: decoder.getDecodedBuffer().slice() };
  } finally {
    decoder.delete();
  }
}

function frameInfo(info: FrameInfo): Omit<DecodedFrame, 'bytes'> {
  return {
    width: info.width,
    height: info.height,
    bitsPerSample: info.bitsPerSample,
    componentCount: info.componentCount,
  };
}

/** Decodes a JPEG 2000 codestream (lossless or lossy). */
export function decodeJpeg2000(frame: Uint8Array): Promise<DecodedFrame> {
  return decodeWithWasm(
    '@cornerstonejs/codec-openjpeg/decodewasmjs',
    '@cornerstonejs/codec-openjpeg/decodewasm',
    'J2KDecoder',
    frame,
  );
}

/** Decodes a JPEG-LS codestream (lossless or near-lossless). */
export function decodeJpegLs(frame: Uint8Array): Promise<DecodedFrame> {
  return decodeWithWasm(
    '@cornerstonejs/codec-charls/decodewasmjs',
    '@cornerstonejs/codec-charls/decodewasm',
    'JpegLSDecoder',
    frame,
  );
}

/** Decodes a JPEG Lossless (process 14) codestream; `bytesPerSample` is 1 or 2. */
export function decodeJpegLossless(frame: Uint8Array, bytesPerSample: number): DecodedFrame {
  const decoder = new JpegLosslessDecoder();
  const samples = decoder.decode(frame.buffer, frame.byteOffset, frame.byteLength, bytesPerSample);
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength).slice();
  return {
    bytes,
    width: decoder.xDim,
    height: decoder.yDim,
    bitsPerSample: decoder.precision ?? bytesPerSample * 8,
    componentCount: decoder.numComp,
  };
}
