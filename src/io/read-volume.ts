/** One entry point for every input a user can give: a .nii/.nii.gz file or a folder of DICOM files. */
import { open, stat } from 'node:fs/promises';
import { fileError } from '../errors.js';
import type { Volume } from '../volume/volume.js';
import { assertRegularFile } from './input-file.js';
import { readNifti } from './nifti/file.js';

export interface ReadVolumeOptions {
  /** SeriesInstanceUID to pick when a DICOM folder holds several series. */
  series?: string;
}

/** The first 132 bytes of a file (enough for the DICOM preamble + "DICM"). */
async function readPrefix(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(132);
    const { bytesRead } = await handle.read(buffer, 0, 132, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a volume from a NIfTI file or a DICOM series folder.
 *
 * @example const ct = await readVolume('case01/'); // DICOM folder → Volume in the scanner's RAS
 */
export async function readVolume(path: string, options: ReadVolumeOptions = {}): Promise<Volume> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw fileError(path, 'no such file or folder');
    throw fileError(path, `cannot read (${(error as Error).message})`);
  }
  if (isDirectory) {
    // Loaded on demand: the DICOM reader pulls in its codecs, which NIfTI-only runs never need.
    const { readDicomSeries } = await import('./dicom/series.js');
    return readDicomSeries(path, options.series === undefined ? {} : { series: options.series });
  }
  assertRegularFile(path, 'a .nii/.nii.gz file or a DICOM folder');
  if (options.series !== undefined) throw fileError(path, '--series applies to DICOM folders, not to a file');
  const prefix = await readPrefix(path);
  const text = new TextDecoder('latin1').decode(prefix.subarray(128, 132));
  if (text === 'DICM') throw fileError(path, 'is a single DICOM file; pass the folder holding its series');
  return readNifti(path);
}
