import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRleFrame, encodeRleFrame, packBits, unpackBits } from './rle.js';

test('unpackBits follows PackBits: literal runs, replicate runs, and the −128 no-op', () => {
  // 2 literals (0x01 0x02), replicate 0xAA four times (−3), no-op, 1 literal 0x07.
  const segment = Uint8Array.from([0x01, 0x01, 0x02, 0xfd, 0xaa, 0x80, 0x00, 0x07]);
  assert.deepEqual([...unpackBits(segment, 7)], [1, 2, 0xaa, 0xaa, 0xaa, 0xaa, 7]);
});

test('unpackBits refuses a segment that decodes short', () => {
  assert.throws(() => unpackBits(Uint8Array.from([0x02, 1, 2, 3]), 5), /decodes to 3 bytes, expected 5/);
});

test('packBits/unpackBits round-trip random planes with long runs', () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (const length of [1, 2, 3, 127, 128, 129, 1000]) {
    const plane = new Uint8Array(length);
    for (let i = 0; i < length; i++) plane[i] = random() < 0.5 ? 0 : Math.floor(random() * 4);
    const packed = packBits(plane);
    assert.equal(packed.length % 2, 0, 'segments have even length');
    assert.deepEqual(unpackBits(packed, length), plane);
  }
});

test('16-bit frames: segments are high byte then low byte, output little-endian', () => {
  const values = Int16Array.from([-1024, 0, 1, 300, 300, 300, 300, 32767, -32768]);
  const bytes = new Uint8Array(values.buffer);
  const frame = encodeRleFrame(bytes, 2, 1);
  const header = new DataView(frame.buffer);
  assert.equal(header.getUint32(0, true), 2);
  // The first segment holds the most significant bytes: −1024 = 0xFC00 → 0xFC first.
  const firstSegment = unpackBits(
    frame.subarray(header.getUint32(4, true), header.getUint32(8, true)),
    values.length,
  );
  assert.equal(firstSegment[0], 0xfc);
  const decoded = decodeRleFrame(frame, values.length, 2, 1);
  assert.deepEqual(new Int16Array(decoded.buffer), values);
});

test('decodeRleFrame refuses a frame with the wrong number of segments', () => {
  const frame = encodeRleFrame(new Uint8Array(8), 1, 1);
  assert.throws(() => decodeRleFrame(frame, 8, 2, 1), /1 segments, expected 2/);
});
