// One DICOM Part 10 file parsed into its header (keyword-named) and its still-encoded pixel data.
import dcmjs, { type DicomTagDict } from 'dcmjs';
import { fileError } from '../../errors.js';
import { findPixelData } from './pixel-extent.js';
import { EXPLICIT_BIG_ENDIAN } from './transfer-syntax.js';

// dcmjs logs every oddity of real-world files (private tags, ambiguous implicit VRs) to the console;
// mosmos reports the problems that matter as errors instead.
dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

const PIXEL_DATA_TAGS = ['7FE00010', '7FE00008', '7FE00009'];

/** A DICOM dataset keyed by keyword (e.g. `ImagePositionPatient`); sequences are arrays of datasets. */
export type NaturalDataset = Record<string, unknown>;

/** Pixel data as stored: one buffer for native encodings, one bitstream per frame when encapsulated. */
export type StoredPixelData =
  | { encapsulated: false; bytes: Uint8Array; littleEndian: boolean }
  | { encapsulated: true; frames: Uint8Array[] };

export interface DicomInstance {
  path: string;
  transferSyntax: string;
  /** Every element except pixel data, by keyword (sequences are arrays of datasets). */
  dataset: NaturalDataset;
  pixelData?: StoredPixelData;
}

/** True when `bytes` start with the Part 10 preamble ("DICM" at byte 128). */
export function hasDicomPreamble(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  );
}

/** Parses a Part 10 file; `path` only names it in errors. */
export function parseDicom(bytes: Uint8Array, path: string): DicomInstance {
  if (!hasDicomPreamble(bytes)) throw fileError(path, 'not a DICOM file (no "DICM" preamble at byte 128)');
  let parsed: ReturnType<typeof dcmjs.data.DicomMessage.readFile>;
  try {
    parsed = readPart10(bytes);
  } catch (error) {
    // Bytes after the pixel data that do not parse as elements (padding some scanners append):
    // read the file up to the end of its pixel data, as pydicom and dcm2niix do.
    const unreadable = fileError(path, `unreadable DICOM file (${(error as Error).message})`);
    const cut = endOfPixelData(bytes);
    if (cut === undefined) throw unreadable;
    try {
      parsed = readPart10(bytes.subarray(0, cut));
    } catch {
      throw unreadable;
    }
  }
  const transferSyntax = syntaxOf(parsed.meta);
  const header: DicomTagDict = {};
  let pixelElement: { vr: string; Value?: unknown[] } | undefined;
  for (const [tag, element] of Object.entries(parsed.dict)) {
    if (PIXEL_DATA_TAGS.includes(tag.toUpperCase())) pixelElement = element;
    else header[tag] = element;
  }
  if (pixelElement?.Value) assertPixelDataComplete(bytes, transferSyntax, pixelElement.Value, path);
  const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(header);
  // Anonymisers sometimes empty the dataset's SOP identity; the file meta group still holds it.
  if (!dataset.SOPClassUID) dataset.SOPClassUID = parsed.meta['00020002']?.Value?.[0];
  if (!dataset.SOPInstanceUID) dataset.SOPInstanceUID = parsed.meta['00020003']?.Value?.[0];
  return { path, transferSyntax, dataset, pixelData: storedPixelData(pixelElement, transferSyntax, dataset) };
}

function readPart10(bytes: Uint8Array): ReturnType<typeof dcmjs.data.DicomMessage.readFile> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return dcmjs.data.DicomMessage.readFile(buffer);
}

function syntaxOf(meta: DicomTagDict): string {
  return String(meta['00020010']?.Value?.[0] ?? '')
    .replace(/\0/g, '')
    .trim();
}

/** Where the pixel data of a file dcmjs cannot read whole ends, if that is before the end of the file. */
function endOfPixelData(bytes: Uint8Array): number | undefined {
  let meta: DicomTagDict;
  try {
    // The header up to the pixel data tells the transfer syntax, which decides how tags are laid out.
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    meta = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010' }).meta;
  } catch {
    return undefined;
  }
  const extent = findPixelData(bytes, syntaxOf(meta), 'any');
  return extent && extent.end < bytes.length ? extent.end : undefined;
}

// dcmjs fills a value that runs past the end of the file with zeros; refuse such a file instead of
// decoding the zeros as pixels.
function assertPixelDataComplete(bytes: Uint8Array, syntax: string, values: unknown[], path: string): void {
  const buffers = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  const encapsulated = buffers.length > 1 || isEncapsulatedSyntax(syntax);
  const length = encapsulated ? 'undefined' : asBytes(buffers[0]).byteLength;
  const extent = findPixelData(bytes, syntax, length);
  if (extent && !extent.complete) {
    throw fileError(
      path,
      `truncated: the file ends at byte ${bytes.length} inside its pixel data, which runs to byte ${extent.end}`,
    );
  }
}

function storedPixelData(
  element: { vr: string; Value?: unknown[] } | undefined,
  transferSyntax: string,
  dataset: NaturalDataset,
): StoredPixelData | undefined {
  const values = element?.Value;
  if (!values || values.length === 0) return undefined;
  const buffers = values.flatMap((v) => (Array.isArray(v) ? v : [v])).map(asBytes);
  const encapsulated = buffers.length > 1 || isEncapsulatedSyntax(transferSyntax);
  if (!encapsulated) {
    return { encapsulated: false, bytes: buffers[0]!, littleEndian: transferSyntax !== EXPLICIT_BIG_ENDIAN };
  }
  return { encapsulated: true, frames: groupFragments(buffers, Number(dataset.NumberOfFrames ?? 1)) };
}

function isEncapsulatedSyntax(uid: string): boolean {
  return ![
    '1.2.840.10008.1.2',
    '1.2.840.10008.1.2.1',
    '1.2.840.10008.1.2.1.99',
    EXPLICIT_BIG_ENDIAN,
  ].includes(uid);
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('pixel data element holds no binary data');
}

// Without a Basic Offset Table dcmjs hands back fragments, not frames. A single-frame image is all
// its fragments; for several frames, a new frame starts where a fragment opens with a codestream
// start marker (JPEG SOI FFD8, JPEG 2000 SOC FF4F).
function groupFragments(fragments: Uint8Array[], frameCount: number): Uint8Array[] {
  if (fragments.length === frameCount) return fragments;
  if (frameCount === 1) return [concatBytes(fragments)];
  const frames: Uint8Array[][] = [];
  for (const fragment of fragments) {
    const startsFrame = fragment[0] === 0xff && (fragment[1] === 0xd8 || fragment[1] === 0x4f);
    if (startsFrame || frames.length === 0) frames.push([fragment]);
    else frames[frames.length - 1]!.push(fragment);
  }
  return frames.map(concatBytes);
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
