import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { decodeJpeg2000, decodeJpegLossless } from './codecs.js';

/** Deterministic test image: smooth ramps, an edge, and a few extreme values. */
function image(width: number, height: number, max: number): Uint16Array {
  const pixels = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      pixels[y * width + x] = (x * 97 + y * 31 + (x > width / 2 ? max / 2 : 0)) % (max + 1);
  }
  pixels[0] = max;
  pixels[pixels.length - 1] = 0;
  return pixels;
}

/**
 * A minimal JPEG Lossless (process 14, selection value 1) encoder, written here only to make test
 * codestreams: one component, one Huffman table giving every difference category a 5-bit code.
 */
function encodeJpegLossless(
  pixels: Uint16Array,
  width: number,
  height: number,
  precision: number,
): Uint8Array {
  const out: number[] = [];
  const u16 = (v: number) => out.push(v >> 8, v & 0xff);
  u16(0xffd8); // SOI
  u16(0xffc3); // SOF3
  u16(11);
  out.push(precision);
  u16(height);
  u16(width);
  out.push(1, 1, 0x11, 0);
  u16(0xffc4); // DHT: table class 0, id 0, 17 symbols of length 5
  u16(2 + 1 + 16 + 17);
  out.push(0x00);
  for (let length = 1; length <= 16; length++) out.push(length === 5 ? 17 : 0);
  for (let s = 0; s <= 16; s++) out.push(s);
  u16(0xffda); // SOS: 1 component, predictor 1, no point transform
  u16(8);
  out.push(1, 1, 0x00, 1, 0, 0);
  let buffer = 0;
  let bits = 0;
  const put = (value: number, count: number) => {
    for (let i = count - 1; i >= 0; i--) {
      buffer = (buffer << 1) | ((value >> i) & 1);
      if (++bits === 8) {
        out.push(buffer);
        if (buffer === 0xff) out.push(0); // byte stuffing
        buffer = 0;
        bits = 0;
      }
    }
  };
  const modulus = 65536;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const prediction =
        x === 0 && y === 0
          ? 1 << (precision - 1)
          : x === 0
            ? pixels[(y - 1) * width]!
            : pixels[y * width + x - 1]!;
      let diff = (pixels[y * width + x]! - prediction) % modulus;
      if (diff >= 32768) diff -= modulus;
      if (diff < -32767) diff += modulus;
      const category = diff === 0 ? 0 : diff === 32768 ? 16 : Math.floor(Math.log2(Math.abs(diff))) + 1;
      put(category, 5); // canonical codes: symbol s gets code s when all 17 have length 5
      if (category > 0 && category < 16) put(diff > 0 ? diff : diff + (1 << category) - 1, category);
    }
  }
  if (bits > 0) put(0x7f, 8 - bits); // pad the last byte with 1 bits
  u16(0xffd9); // EOI
  return Uint8Array.from(out);
}

test('JPEG Lossless (process 14) decodes 16-bit and 8-bit frames exactly', () => {
  for (const [precision, bytesPerSample] of [
    [16, 2],
    [12, 2],
    [8, 1],
  ] as const) {
    const pixels = image(13, 9, 2 ** precision - 1);
    const decoded = decodeJpegLossless(encodeJpegLossless(pixels, 13, 9, precision), bytesPerSample);
    assert.equal(decoded.width, 13);
    assert.equal(decoded.height, 9);
    const values =
      bytesPerSample === 2
        ? new Uint16Array(decoded.bytes.buffer, decoded.bytes.byteOffset, 13 * 9)
        : decoded.bytes;
    assert.deepEqual([...values], [...pixels], `precision ${precision}`);
  }
});

test('JPEG 2000 (OpenJPEG WASM) decodes a reversible codestream exactly, signed values included', async () => {
  const require = createRequire(import.meta.url);
  const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (
    m: object,
  ) => Promise<Record<string, unknown>>;
  const wasm = require.resolve('@cornerstonejs/codec-openjpeg/wasm');
  const openjpeg = await factory({ locateFile: () => wasm, print: () => {}, printErr: () => {} });
  type Encoder = {
    getDecodedBuffer(info: object): Uint8Array;
    encode(): void;
    getEncodedBuffer(): Uint8Array;
    delete(): void;
  };
  // 64×40 pixels: OpenJPEG's default five wavelet levels need at least 32 pixels a side.
  const signed = Int16Array.from(image(64, 40, 4095), (v) => v - 2048);
  const encoder = new (openjpeg.J2KEncoder as new () => Encoder)();
  encoder
    .getDecodedBuffer({
      width: 64,
      height: 40,
      bitsPerSample: 12,
      componentCount: 1,
      isSigned: true,
      isUsingColorTransform: false,
    })
    .set(new Uint8Array(signed.buffer));
  encoder.encode();
  const codestream = encoder.getEncodedBuffer().slice();
  encoder.delete();
  const decoded = await decodeJpeg2000(codestream);
  assert.equal(decoded.width, 64);
  assert.equal(decoded.bitsPerSample, 12);
  assert.deepEqual(new Int16Array(decoded.bytes.buffer, decoded.bytes.byteOffset, 64 * 40), signed);
});
