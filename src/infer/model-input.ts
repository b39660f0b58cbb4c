/**
 * The image a segmentation model reads: one volume for a one-channel model; for a multi-channel model
 * (BraTS t1, t1ce, t2, flair) one file per channel in the model's channel order, a case folder
 * holding `<case>_<channel>.nii(.gz)` for each of them (the BraTS layout), or one 4D file with that
 * many channels. The first channel's grid is the output grid; every channel must share it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileError, InputError } from '../errors.js';
import { readVolume } from '../io/read-volume.js';
import { stackChannels } from '../volume/channels.js';
import { selectFrame } from '../volume/frame.js';
import { channelCount, type Volume } from '../volume/volume.js';
import type { SegmentationModelInfo } from './model-description.js';

export interface ModelInputOptions {
  /** Series of a DICOM folder holding several. */
  series?: string;
  /** Frame (0-based) of a 4D input to a one-channel model. */
  frame?: number;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The model's channel names (`channel 0` … for descriptions without names). */
export function channelNames(info: Pick<SegmentationModelInfo, 'network' | 'channels'>): string[] {
  const n = info.network.inChannels;
  return info.channels?.length === n ? info.channels : Array.from({ length: n }, (_, c) => `channel ${c}`);
}

/** How to give a multi-channel model its input, for error messages. */
function expectedInput(names: string[]): string {
  return (
    `the model takes ${names.length} channels (${names.join(', ')}): give ${names.length} files in that order, ` +
    `a case folder holding <case>_${names[0]}.nii.gz … <case>_${names[names.length - 1]}.nii.gz, or one 4D file with ${names.length} channels`
  );
}

/**
 * The file of each channel in a case folder: the one ending `_<channel>.nii.gz` (or `.nii`), or
 * undefined when the folder is not such a case folder (a DICOM series, say).
 */
function caseFolderChannels(folder: string, names: string[]): string[] | undefined {
  const files = readdirSync(folder);
  const found = names.map((name) =>
    files.find(
      (f) =>
        f.toLowerCase().endsWith(`_${name.toLowerCase()}.nii.gz`) ||
        f.toLowerCase().endsWith(`_${name.toLowerCase()}.nii`),
    ),
  );
  if (found.every((f) => f === undefined)) return undefined;
  const missing = names.filter((_, c) => found[c] === undefined);
  if (missing.length > 0)
    throw fileError(folder, `no *_${missing.join('.nii.gz, *_')}.nii.gz; ${expectedInput(names)}`);
  return found.map((f) => join(folder, f!));
}

/**
 * The input files, one per channel (or a single path for a one-channel model or a 4D file), in the
 * model's channel order; errors say how to give the input.
 */
export function resolveModelInput(
  inputs: readonly string[],
  info: Pick<SegmentationModelInfo, 'network' | 'channels'>,
): string[] {
  if (inputs.length === 0) throw new InputError('no input image given');
  const names = channelNames(info);
  if (names.length === 1) {
    if (inputs.length > 1)
      throw new InputError(`the model takes one image, got ${inputs.length}: ${inputs.join(', ')}`);
    return [...inputs];
  }
  if (inputs.length === names.length) return [...inputs];
  if (inputs.length === 1 && isDirectory(inputs[0]!)) {
    const files = caseFolderChannels(inputs[0]!, names);
    if (files) return files;
    throw fileError(inputs[0]!, `is not a case folder; ${expectedInput(names)}`);
  }
  if (inputs.length === 1) return [...inputs];
  throw new InputError(`got ${inputs.length} images; ${expectedInput(names)}`);
}

/**
 * Reads `paths` (from `resolveModelInput`) as the model's input volume.
 *
 * @example const image = await readModelInput(resolveModelInput(['BraTS2021_00000/'], info), info);
 */
export async function readModelInput(
  paths: readonly string[],
  info: Pick<SegmentationModelInfo, 'network' | 'channels'>,
  options: ModelInputOptions = {},
): Promise<Volume> {
  const names = channelNames(info);
  const read = (path: string) => readVolume(path, options.series ? { series: options.series } : {});
  if (names.length === 1) return selectFrame(await read(paths[0]!), options.frame, paths[0]!);
  if (paths.length === 1) {
    const volume = await read(paths[0]!);
    if (channelCount(volume) !== names.length)
      throw fileError(paths[0]!, `has ${channelCount(volume)} channel(s); ${expectedInput(names)}`);
    return volume;
  }
  const volumes: Volume[] = [];
  for (const path of paths) volumes.push(await read(path));
  return stackChannels(volumes, paths);
}
