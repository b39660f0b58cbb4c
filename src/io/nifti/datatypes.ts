/** NIfTI datatype codes ↔ mosmos element types. */
import type { DataType } from '../../volume/volume.js';

const CODES: Record<DataType, number> = {
  uint8: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
};

const NAMES_OF_UNSUPPORTED: Record<number, string> = {
  1: 'binary',
  32: 'complex64',
  128: 'rgb24',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'rgba32',
};

/** Bytes per voxel of each element type. */
export const BYTES_PER_VOXEL: Record<DataType, number> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

export function datatypeCode(datatype: DataType): number {
  return CODES[datatype];
}

/** The element type of a NIfTI datatype code; throws (with the code's name) for unsupported ones. */
export function datatypeFromCode(code: number): DataType {
  for (const [name, value] of Object.entries(CODES)) if (value === code) return name as DataType;
  const known = NAMES_OF_UNSUPPORTED[code];
  throw new Error(
    known
      ? `datatype ${known} (code ${code}) is not supported`
      : `unknown datatype code ${code} in the header`,
  );
}

/** Whether the type holds integers (label maps are integer volumes). */
export function isIntegerType(datatype: DataType): boolean {
  return datatype !== 'float32' && datatype !== 'float64';
}
