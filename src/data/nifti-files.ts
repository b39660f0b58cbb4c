/** Finding NIfTI files in the folder layouts datasets are downloaded in. */
import { readdirSync, statSync } from 'node:fs';

/** Whether a file name is a NIfTI volume (.nii or .nii.gz, any case), not a hidden or temp file. */
export function isNiftiName(name: string): boolean {
  const lower = name.toLowerCase();
  return !name.startsWith('.') && (lower.endsWith('.nii.gz') || lower.endsWith('.nii'));
}

/** The file name without its .nii / .nii.gz extension. */
export function stripNiftiExtension(name: string): string {
  return name.replace(/\.nii(\.gz)?$/i, '');
}

/** Whether `path` is an existing directory. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` is an existing file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Visible entry names of a directory, sorted; [] when it does not exist. */
export function listDirectory(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort();
}
