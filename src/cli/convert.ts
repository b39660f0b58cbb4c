/** `mosmos convert <volume|dicom-dir> <out.nii[.gz]> [--reorient RAS] [--series UID] [--datatype T] [--force]`. */
import { InputError } from '../errors.js';
import { assertWritable } from '../files/atomic-write.js';
import { writeNifti } from '../io/nifti/file.js';
import { readVolume } from '../io/read-volume.js';
import { orientationCode, parseOrientationCode, reorient } from '../volume/orientation.js';
import type { DataType } from '../volume/volume.js';
import { type CommandSpec, readCommandLine } from './options.js';

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

export const spec = {
  name: 'convert',
  positionals: '<dicom-dir | volume> <out.nii.gz>',
  arity: [2, 2],
  options: [
    { name: 'reorient', type: 'string', value: 'RAS', help: 'reorient to this axis code (any of the 48)' },
    { name: 'series', type: 'string', value: 'UID', help: 'the series to read from a folder with several' },
    {
      name: 'datatype',
      type: 'string',
      value: 'T',
      choices: DATATYPES,
      help: "output datatype (default: the input's)",
    },
    { name: 'force', type: 'flag', help: 'replace an existing output' },
  ],
} as const satisfies CommandSpec;

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
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const [input = '', output = ''] = line.positional;
  const options: ConvertOptions = { force: line.flag('force') };
  const reorientCode = line.string('reorient');
  const series = line.string('series');
  const datatype = line.string('datatype');
  if (reorientCode !== undefined) options.reorient = reorientCode;
  if (series !== undefined) options.series = series;
  if (datatype !== undefined) options.datatype = datatype as DataType;
  console.log(await convertVolume(input, output, options));
  return 0;
}
