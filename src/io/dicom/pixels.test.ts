import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DicomInstance } from './instance.js';
import { decodeFrame, pixelModule } from './pixels.js';

function instance(dataset: Record<string, unknown>, bytes: Uint8Array, littleEndian = true): DicomInstance {
  return {
    path: 'test.dcm',
    transferSyntax: littleEndian ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2.2',
    dataset: { Rows: 1, Columns: 3, SamplesPerPixel: 1, ...dataset },
    pixelData: { encapsulated: false, bytes, littleEndian },
  };
}

test('12-bit signed values stored in 16 bits are sign-extended from bit 11', async () => {
  // 0x0FFF = −1, 0x0800 = −2048, 0x07FF = 2047 in 12-bit two's complement; high bits are junk.
  const words = Uint16Array.from([0xffff, 0x0800, 0x77ff]);
  const i = instance(
    { BitsAllocated: 16, BitsStored: 12, PixelRepresentation: 1 },
    new Uint8Array(words.buffer),
  );
  assert.deepEqual([...(await decodeFrame(i, pixelModule(i), 0))], [-1, -2048, 2047]);
});

test('unsigned values lose bits above BitsStored (overlay planes)', async () => {
  const words = Uint16Array.from([0xf123, 0x0123, 0x8fff]);
  const i = instance(
    { BitsAllocated: 16, BitsStored: 12, PixelRepresentation: 0 },
    new Uint8Array(words.buffer),
  );
  assert.deepEqual([...(await decodeFrame(i, pixelModule(i), 0))], [0x123, 0x123, 0xfff]);
});

test('big-endian words are swapped; frames are taken at their offset', async () => {
  const bytes = Uint8Array.from([0x00, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04]);
  const i = instance(
    { BitsAllocated: 16, BitsStored: 16, PixelRepresentation: 1, NumberOfFrames: 2 },
    bytes,
    false,
  );
  const module = pixelModule(i);
  assert.deepEqual([...(await decodeFrame(i, module, 0))], [1, 256, -2]);
  assert.deepEqual([...(await decodeFrame(i, module, 1))], [2, 3, 4]);
});

test('bit-packed frames are read across byte boundaries', async () => {
  // Three 1×3 frames = 9 bits, least significant bit first: 101 011 110.
  const bits = [1, 0, 1, 0, 1, 1, 0, 1, 1];
  const bytes = new Uint8Array(2);
  bits.forEach((b, n) => {
    bytes[n >> 3]! |= b << (n & 7);
  });
  const i = instance({ BitsAllocated: 1, BitsStored: 1, NumberOfFrames: 3 }, bytes);
  const module = pixelModule(i);
  const frames = await Promise.all([0, 1, 2].map((f) => decodeFrame(i, module, f)));
  assert.deepEqual(
    frames.map((f) => [...f]),
    [
      [1, 0, 1],
      [0, 1, 1],
      [0, 1, 1],
    ],
  );
});

test('short pixel data and colour images are refused naming the file', async () => {
  const i = instance({ BitsAllocated: 16, BitsStored: 16, NumberOfFrames: 2 }, new Uint8Array(8));
  await assert.rejects(
    decodeFrame(i, pixelModule(i), 1),
    /^InputError: test\.dcm: cannot decode pixel data: pixel data too short for frame 2/,
  );
  const rgb = instance(
    { BitsAllocated: 8, SamplesPerPixel: 3, PhotometricInterpretation: 'RGB' },
    new Uint8Array(9),
  );
  assert.throws(() => pixelModule(rgb), /test\.dcm: colour images \(RGB, 3 samples\) are not volumes/);
});
