/**
 * The NIfTI-1 and NIfTI-2 header fields as one table: name, element type and byte offset in each
 * layout (nifti1.h, nifti2.h). Parsing and serialising both walk it, so a field is declared once and
 * the two directions cannot drift apart.
 */
import type { NiftiHeader } from './header.js';

type Cell = 'u8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';
/** A numeric field (`count` values) or a Latin-1 string of `length` bytes. */
type Layout = { cell: Cell; offset: number } | { cell: 'string'; offset: number; length: number };

type NumericKey = {
  [K in keyof NiftiHeader]: NiftiHeader[K] extends number | number[] ? K : never;
}[keyof NiftiHeader];
type StringKey = { [K in keyof NiftiHeader]: NiftiHeader[K] extends string ? K : never }[keyof NiftiHeader];

/** One row: the field, how many values it holds (1 = a scalar), its NIfTI-1 and NIfTI-2 layouts. */
export type HeaderField =
  | { name: NumericKey; count: number; v1: Layout; v2: Layout }
  | { name: StringKey; count: 1; v1: Layout; v2: Layout };

const n = (name: NumericKey, count: number, c1: Cell, o1: number, c2: Cell, o2: number): HeaderField => ({
  name,
  count,
  v1: { cell: c1, offset: o1 },
  v2: { cell: c2, offset: o2 },
});
const s = (name: StringKey, length: number, o1: number, o2: number): HeaderField => ({
  name,
  count: 1,
  v1: { cell: 'string', offset: o1, length },
  v2: { cell: 'string', offset: o2, length },
});

/** Every field of the fixed header except sizeof_hdr and magic (written by the header code). */
export const HEADER_FIELDS: readonly HeaderField[] = [
  n('dimInfo', 1, 'u8', 39, 'u8', 524),
  n('dim', 8, 'i16', 40, 'i64', 16),
  n('intentP1', 1, 'f32', 56, 'f64', 80),
  n('intentP2', 1, 'f32', 60, 'f64', 88),
  n('intentP3', 1, 'f32', 64, 'f64', 96),
  n('intentCode', 1, 'i16', 68, 'i32', 504),
  n('datatypeCode', 1, 'i16', 70, 'i16', 12),
  n('bitpix', 1, 'i16', 72, 'i16', 14),
  n('sliceStart', 1, 'i16', 74, 'i64', 224),
  n('pixdim', 8, 'f32', 76, 'f64', 104),
  n('voxOffset', 1, 'f32', 108, 'i64', 168),
  n('sclSlope', 1, 'f32', 112, 'f64', 176),
  n('sclInter', 1, 'f32', 116, 'f64', 184),
  n('sliceEnd', 1, 'i16', 120, 'i64', 232),
  n('sliceCode', 1, 'u8', 122, 'i32', 496),
  n('xyztUnits', 1, 'u8', 123, 'i32', 500),
  n('calMax', 1, 'f32', 124, 'f64', 192),
  n('calMin', 1, 'f32', 128, 'f64', 200),
  n('sliceDuration', 1, 'f32', 132, 'f64', 208),
  n('toffset', 1, 'f32', 136, 'f64', 216),
  s('descrip', 80, 148, 240),
  s('auxFile', 24, 228, 320),
  n('qformCode', 1, 'i16', 252, 'i32', 344),
  n('sformCode', 1, 'i16', 254, 'i32', 348),
  n('quaternB', 1, 'f32', 256, 'f64', 352),
  n('quaternC', 1, 'f32', 260, 'f64', 360),
  n('quaternD', 1, 'f32', 264, 'f64', 368),
  n('qoffsetX', 1, 'f32', 268, 'f64', 376),
  n('qoffsetY', 1, 'f32', 272, 'f64', 384),
  n('qoffsetZ', 1, 'f32', 276, 'f64', 392),
  n('srowX', 4, 'f32', 280, 'f64', 400),
  n('srowY', 4, 'f32', 296, 'f64', 432),
  n('srowZ', 4, 'f32', 312, 'f64', 464),
  s('intentName', 16, 328, 508),
];

const WIDTH: Record<Cell, number> = { u8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 };

function readCell(view: DataView, cell: Cell, offset: number, le: boolean): number {
  switch (cell) {
    case 'u8':
      return view.getUint8(offset);
    case 'i16':
      return view.getInt16(offset, le);
    case 'i32':
      return view.getInt32(offset, le);
    case 'i64':
      return Number(view.getBigInt64(offset, le));
    case 'f32':
      return view.getFloat32(offset, le);
    case 'f64':
      return view.getFloat64(offset, le);
  }
}

function writeCell(view: DataView, cell: Cell, offset: number, value: number, le: boolean): void {
  switch (cell) {
    case 'u8':
      view.setUint8(offset, value);
      return;
    case 'i16':
      view.setInt16(offset, value, le);
      return;
    case 'i32':
      view.setInt32(offset, value, le);
      return;
    case 'i64':
      view.setBigInt64(offset, BigInt(Math.trunc(value)), le);
      return;
    case 'f32':
      view.setFloat32(offset, value, le);
      return;
    case 'f64':
      view.setFloat64(offset, value, le);
      return;
  }
}

function readString(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return new TextDecoder('latin1').decode(bytes.subarray(offset, end));
}

// Latin-1, truncated to the field; the field need not be NUL-terminated when full.
function writeString(bytes: Uint8Array, offset: number, length: number, value: string): void {
  for (let i = 0; i < length; i++) bytes[offset + i] = i < value.length ? value.charCodeAt(i) & 0xff : 0;
}

/** Reads every table field of a `version` header into `h`. */
export function readHeaderFields(bytes: Uint8Array, h: NiftiHeader, version: 1 | 2, le: boolean): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const record = h as unknown as Record<string, unknown>;
  for (const field of HEADER_FIELDS) {
    const layout = version === 1 ? field.v1 : field.v2;
    if (layout.cell === 'string') {
      record[field.name] = readString(bytes, layout.offset, layout.length);
      continue;
    }
    const { cell, offset } = layout;
    const values = Array.from({ length: field.count }, (_, i) =>
      readCell(view, cell, offset + i * WIDTH[cell], le),
    );
    record[field.name] = field.count === 1 ? values[0] : values;
  }
}

/** Writes every table field of `h` into a `version` header (arrays: as many values as they hold). */
export function writeHeaderFields(bytes: Uint8Array, h: NiftiHeader, version: 1 | 2, le: boolean): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const record = h as unknown as Record<string, unknown>;
  for (const field of HEADER_FIELDS) {
    const layout = version === 1 ? field.v1 : field.v2;
    const value = record[field.name];
    if (layout.cell === 'string') {
      writeString(bytes, layout.offset, layout.length, String(value ?? ''));
      continue;
    }
    const { cell, offset } = layout;
    const values = (Array.isArray(value) ? value : [value]).slice(0, field.count) as number[];
    values.forEach((v, i) => {
      writeCell(view, cell, offset + i * WIDTH[cell], v, le);
    });
  }
}
