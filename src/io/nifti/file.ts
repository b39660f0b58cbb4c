/** Reading and writing NIfTI files (.nii, .nii.gz) on disk. */
import { fileError, InputError } from '../../errors.js';
import { assertWritable, writeFilesAtomic } from '../../files/atomic-write.js';
import type { Volume } from '../../volume/volume.js';
import { readInputFile } from '../input-file.js';
import { decodeNifti } from './decode.js';
import { type EncodeOptions, encodeNiftiParts } from './encode.js';
import { gzipParts } from './gzip.js';

export interface WriteNiftiOptions extends EncodeOptions {
  /** Replace an existing file. */
  force?: boolean;
  /**
   * gzip level for .nii.gz (default 1, as nibabel: at level 1 a CT volume compresses almost as well as
   * at 6 in a fraction of the time).
   */
  compressionLevel?: number;
}

/** Reads a .nii or .nii.gz file; every problem is an InputError naming the file. */
export async function readNifti(path: string): Promise<Volume> {
  return decodeNifti(await readInputFile(path, 'a .nii or .nii.gz file'), path);
}

/** Whether a path names a gzip-compressed NIfTI file. */
export function isGzipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}

/**
 * Writes a volume as .nii or .nii.gz (by extension), atomically; an existing file is refused
 * unless `force`.
 *
 * @example await writeNifti('seg.nii.gz', prediction, { datatype: 'uint8' })
 */
export async function writeNifti(
  path: string,
  volume: Volume,
  options: WriteNiftiOptions = {},
): Promise<void> {
  assertWritable(path, options);
  writeFilesAtomic([{ path, data: await niftiFileParts(path, volume, options) }], options);
}

/** The bytes of `volume` as the NIfTI file `path` (.nii or .nii.gz by extension), in pieces. */
export async function niftiFileParts(
  path: string,
  volume: Volume,
  options: WriteNiftiOptions = {},
): Promise<Uint8Array[]> {
  const lower = path.toLowerCase();
  if (!lower.endsWith('.nii') && !lower.endsWith('.nii.gz')) {
    throw fileError(path, 'output must end in .nii or .nii.gz');
  }
  let parts: [Uint8Array, Uint8Array];
  try {
    parts = encodeNiftiParts(volume, options);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // e.g. a degenerate affine read from a broken input has no qform: name the file it came from.
    const from = volume.source?.path ? ` (from ${volume.source.path})` : '';
    throw fileError(path, `cannot write this volume${from} as NIfTI: ${(error as Error).message}`);
  }
  return isGzipPath(path) ? await gzipParts(parts, options.compressionLevel ?? 1) : parts;
}
