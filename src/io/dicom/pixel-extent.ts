// Where a Part 10 file's Pixel Data lies in its bytes. dcmjs pads a value that runs past the end of
// the file with zeros (a cut uncompressed slice turned 43 % of its pixels into −1024 HU) and stops
// at bytes it cannot parse after the pixel data (trailing padding that pydicom and dcm2niix
// ignore). Both need the byte range of the Pixel Data element, which this file finds by its tag.
import {
  DEFLATED_EXPLICIT_LITTLE_ENDIAN,
  EXPLICIT_BIG_ENDIAN,
  IMPLICIT_LITTLE_ENDIAN,
} from './transfer-syntax.js';

/** The byte range of the Pixel Data element (tag to end of value) and whether the file holds all of it. */
export interface PixelDataExtent {
  /** Offset of the element's tag. */
  start: number;
  /** Offset just past its value (past the sequence delimiter when encapsulated). */
  end: number;
  /** False when the file ends inside the element; `end` is then where it should have ended. */
  complete: boolean;
}

const UNDEFINED_LENGTH = 0xffffffff;
const BULK_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);

/**
 * Finds the top-level Pixel Data element: the first (7FE0,0010) tag whose header reads as one with
 * `length` (the value length dcmjs parsed, or undefined length for encapsulated data). Matching the
 * length skips an icon image's pixel data and tag bytes that happen to occur inside other values.
 * With `length` 'any' (the length is not known), the candidate the file holds whole that ends last.
 * Returns undefined for deflated files or when no element matches.
 */
export function findPixelData(
  bytes: Uint8Array,
  transferSyntax: string,
  length: number | 'undefined' | 'any',
): PixelDataExtent | undefined {
  if (transferSyntax === DEFLATED_EXPLICIT_LITTLE_ENDIAN) return undefined;
  const bigEndian = transferSyntax === EXPLICIT_BIG_ENDIAN;
  const explicit = transferSyntax !== IMPLICIT_LITTLE_ENDIAN;
  const tag = bigEndian ? [0x7f, 0xe0, 0x00, 0x10] : [0xe0, 0x7f, 0x10, 0x00];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wanted = length === 'undefined' ? UNDEFINED_LENGTH : length;
  const headerSize = explicit ? 12 : 8;
  let last: PixelDataExtent | undefined;
  for (let i = 132; i + headerSize <= bytes.length; i++) {
    if (bytes[i] !== tag[0] || bytes[i + 1] !== tag[1] || bytes[i + 2] !== tag[2] || bytes[i + 3] !== tag[3])
      continue;
    if (explicit) {
      const vr = String.fromCharCode(bytes[i + 4]!, bytes[i + 5]!);
      if (!BULK_VRS.has(vr) || bytes[i + 6] !== 0 || bytes[i + 7] !== 0) continue;
    }
    const declared = view.getUint32(i + headerSize - 4, !bigEndian);
    if (wanted !== 'any' && declared !== wanted) continue;
    const valueStart = i + headerSize;
    const extent =
      declared === UNDEFINED_LENGTH
        ? itemsEnd(view, valueStart)
        : { end: valueStart + declared, complete: valueStart + declared <= bytes.length };
    if (!extent) continue;
    if (wanted !== 'any') return { start: i, ...extent };
    if (extent.complete && (!last || extent.end > last.end)) last = { start: i, ...extent };
  }
  return last;
}

// Encapsulated pixel data is a run of items (FFFE,E000) closed by a sequence delimiter (FFFE,E0DD),
// always little endian. Returns undefined if something other than an item appears (not this element).
function itemsEnd(view: DataView, from: number): { end: number; complete: boolean } | undefined {
  let offset = from;
  for (;;) {
    if (offset + 8 > view.byteLength) return { end: offset + 8, complete: false };
    const group = view.getUint16(offset, true);
    const element = view.getUint16(offset + 2, true);
    if (group !== 0xfffe) return undefined;
    if (element === 0xe0dd) return { end: offset + 8, complete: true };
    if (element !== 0xe000) return undefined;
    offset += 8 + view.getUint32(offset + 4, true);
    if (offset > view.byteLength) return { end: offset, complete: false };
  }
}

/**
 * True when a JPEG-family codestream (JPEG, JPEG-LS, JPEG 2000) ends with its end marker FFD9
 * (EOI/EOC), allowing for padding after it. OpenJPEG and the JPEG Lossless decoder decode a cut
 * codestream without complaint, so a missing end marker is how a truncated frame is recognised.
 */
export function hasEndOfImageMarker(frame: Uint8Array): boolean {
  // The marker cannot occur inside entropy-coded data (0xFF is byte-stuffed), so any FFD9 near the
  // end is the real one; 64 bytes allows generous padding.
  for (let i = frame.length - 2; i >= Math.max(0, frame.length - 64); i--) {
    if (frame[i] === 0xff && frame[i + 1] === 0xd9) return true;
  }
  return false;
}
