/** `mosmos convert <volume|dicom-dir> <out.nii[.gz]> [--reorient RAS] [--series UID] [--datatype T] [--force]`. */
import { InputError } from '../errors.js';
import { assertWritable } from '../io/atomic-write.js';
import { writeNifti } from '../io/nifti/file.js';
import { readVolume } from '../io/read-volume.js';
import { orientationCode, parseOrientationCode, reorient } from '../volume/orientation.js';
import type { DataType } from '../volume/volume.js';
import { optionFlag, optionString, parseArgs } from './args.js';

const DATATYPES: readonly DataType[] = [
  'uint8',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'float64',
];
const USAGE =
  'usage: mosmos convert <volume|dicom-dir> <out.nii.gz> [--reorient RAS] [--series UID] [--datatype int16] [--force]';

export interface ConvertOptions {
  reorient?: string;
  series?: string;
  datatype?: DataType;
  force?: boolean;
}

/** Converts a DICOM series or volume to NIfTI (the library function behind `mosmos convert`). */
export async function convertVolume(
  input: string,
  output: string,
  options: ConvertOptions = {},
): Promise<string> {
  if (!/\.nii(\.gz)?$/i.test(output)) throw new InputError(`${output}: output must end in .nii or .nii.gz`);
  if (options.reorient !== undefined) parseOrientationCode(options.reorient);
  // Checked before the (possibly long) read so a refused output fails at once.
  assertWritable(output, { force: options.force ?? false });
  let volume = await readVolume(input, options.series === undefined ? {} : { series: options.series });
  if (options.reorient !== undefined) volume = reorient(volume, options.reorient);
  const datatype = options.datatype ?? volume.datatype;
  await writeNifti(output, volume, { force: options.force ?? false, datatype });
  return `wrote ${output}: ${volume.dims.join('×')} ${datatype}, ${orientationCode(volume.affine)}, spacing ${volume.spacing.map((s) => Number(s.toPrecision(6))).join('×')} mm`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['force']);
  for (const name of args.options.keys()) {
    if (!['reorient', 'series', 'datatype', 'force'].includes(name))
      throw new InputError(`unknown option --${name}`);
  }
  if (args.positional.length !== 2) throw new InputError(USAGE);
  const datatype = optionString(args, 'datatype');
  if (datatype !== undefined && !DATATYPES.includes(datatype as DataType)) {
    throw new InputError(`option --datatype: expected one of ${DATATYPES.join(', ')}, got "${datatype}"`);
  }
  const options: ConvertOptions = { force: optionFlag(args, 'force') };
  const reorientCode = optionString(args, 'reorient');
  const series = optionString(args, 'series');
  if (reorientCode !== undefined) options.reorient = reorientCode;
  if (series !== undefined) options.series = series;
  if (datatype !== undefined) options.datatype = datatype as DataType;
  console.log(await convertVolume(args.positional[0]!, args.positional[1]!, options));
  return 0;
}
