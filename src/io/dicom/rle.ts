// DICOM RLE Lossless (PS3.5 Annex G): each frame is a 64-byte header of up to 15 segment offsets,
// then one PackBits-compressed segment per byte plane (most significant byte first, per sample).

/**
 * Decodes one RLE frame into little-endian interleaved bytes: for 16-bit data the result is the
 * bytes of a little-endian Uint16/Int16 array of rows·columns·samples elements.
 */
export function decodeRleFrame(
  frame: Uint8Array,
  pixelCount: number,
  bytesPerSample: number,
  samplesPerPixel: number,
): Uint8Array {
  const header = new DataView(frame.buffer, frame.byteOffset, Math.min(64, frame.byteLength));
  if (frame.byteLength < 64) throw new Error('RLE frame shorter than its 64-byte header');
  const segmentCount = header.getUint32(0, true);
  const expected = bytesPerSample * samplesPerPixel;
  if (segmentCount !== expected) {
    throw new Error(`RLE frame has ${segmentCount} segments, expected ${expected}`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segmentCount; s++) offsets.push(header.getUint32(4 + 4 * s, true));
  offsets.push(frame.byteLength);
  const out = new Uint8Array(pixelCount * expected);
  for (let s = 0; s < segmentCount; s++) {
    const sample = Math.floor(s / bytesPerSample);
    // Segments run from the most to the least significant byte; little-endian output reverses that.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const plane = unpackBits(frame.subarray(offsets[s]!, offsets[s + 1]!), pixelCount);
    const stride = expected;
    const start = sample * bytesPerSample + byteInSample;
    for (let p = 0; p < pixelCount; p++) out[start + p * stride] = plane[p]!;
  }
  return out;
}

/** PackBits: a control byte n ≥ 0 copies n+1 literal bytes; −127 ≤ n ≤ −1 repeats the next byte 1−n times. */
export function unpackBits(segment: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let i = 0;
  let o = 0;
  while (o < length && i < segment.length) {
    const n = (segment[i++]! << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, length - o, segment.length - i);
      out.set(segment.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, length - o);
      out.fill(segment[i++]!, o, o + count);
      o += count;
    }
  }
  if (o < length) throw new Error(`RLE segment decodes to ${o} bytes, expected ${length}`);
  return out;
}

/** PackBits-encodes one byte plane (runs of 3+ equal bytes become repeats, the rest literals). */
export function packBits(plane: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < plane.length) {
    let run = 1;
    while (i + run < plane.length && run < 128 && plane[i + run] === plane[i]) run++;
    if (run >= 3) {
      out.push((1 - run) & 0xff, plane[i]!);
      i += run;
      continue;
    }
    const start = i;
    while (i < plane.length && i - start < 128) {
      if (i + 2 < plane.length && plane[i] === plane[i + 1] && plane[i] === plane[i + 2]) break;
      i++;
    }
    out.push(i - start - 1);
    for (let k = start; k < i; k++) out.push(plane[k]!);
  }
  if (out.length % 2 === 1) out.push(0x80); // segments are padded to even length with a no-op
  return Uint8Array.from(out);
}

/** Encodes little-endian interleaved pixel bytes as one RLE Lossless frame (the inverse of decodeRleFrame). */
export function encodeRleFrame(
  pixels: Uint8Array,
  bytesPerSample: number,
  samplesPerPixel: number,
): Uint8Array {
  const stride = bytesPerSample * samplesPerPixel;
  const pixelCount = pixels.length / stride;
  const segments: Uint8Array[] = [];
  for (let sample = 0; sample < samplesPerPixel; sample++) {
    for (let b = bytesPerSample - 1; b >= 0; b--) {
      const plane = new Uint8Array(pixelCount);
      for (let p = 0; p < pixelCount; p++) plane[p] = pixels[p * stride + sample * bytesPerSample + b]!;
      segments.push(packBits(plane));
    }
  }
  const total = 64 + segments.reduce((n, s) => n + s.length, 0);
  const frame = new Uint8Array(total);
  const header = new DataView(frame.buffer);
  header.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, s) => {
    header.setUint32(4 + 4 * s, offset, true);
    frame.set(segment, offset);
    offset += segment.length;
  });
  return frame;
}
