/** `mosmos info <volume|dicom-dir> [--json]`: shape, geometry, type, value range and labels of a volume. */
import { niftiHeaderOf } from '../io/nifti/decode.js';
import { readVolume } from '../io/read-volume.js';
import { orientationCode } from '../volume/orientation.js';
import { labelCounts, valueRange } from '../volume/statistics.js';
import type { Volume } from '../volume/volume.js';
import { type CommandSpec, readCommandLine } from './options.js';

/** What `info` reports; also the `--json` output. */
export interface VolumeInfo {
  path: string;
  format: string;
  dims: number[];
  spacing: number[];
  orientation: string;
  /** 4×4, row-major list of rows, voxel → RAS mm. */
  affine: number[][];
  datatype: string;
  min: number;
  max: number;
  /** Label value and voxel count, for integer volumes with ≤ 256 distinct values. */
  labels?: { value: number; voxels: number }[];
  nifti?: {
    version: number;
    qformCode: number;
    sformCode: number;
    description: string;
    diskDatatypeCode: number;
    sclSlope: number;
    sclInter: number;
  };
}

/** Describes a volume (the library function behind `mosmos info`). */
export function describeVolume(volume: Volume, path: string): VolumeInfo {
  const [min, max] = valueRange(volume.data);
  const counts = labelCounts(volume.data, volume.datatype);
  const header = niftiHeaderOf(volume);
  const info: VolumeInfo = {
    path,
    format: header ? `nifti${header.version}` : (volume.source?.format ?? 'unknown'),
    dims: [...volume.dims],
    spacing: [...volume.spacing],
    orientation: orientationCode(volume.affine),
    affine: volume.affine.map((row) => [...row]),
    datatype: volume.datatype,
    min,
    max,
  };
  if (counts) info.labels = counts.map(([value, voxels]) => ({ value, voxels }));
  if (header) {
    info.nifti = {
      version: header.version,
      qformCode: header.qformCode,
      sformCode: header.sformCode,
      description: header.descrip,
      diskDatatypeCode: header.datatypeCode,
      sclSlope: header.sclSlope,
      sclInter: header.sclInter,
    };
  }
  return info;
}

const round = (v: number) => Number(v.toPrecision(6));

/** Human-readable lines for `info`. */
export function formatVolumeInfo(info: VolumeInfo): string {
  const lines = [
    `path:        ${info.path}`,
    `format:      ${info.format}`,
    `dims:        ${info.dims.join(' × ')}`,
    `spacing:     ${info.spacing.map(round).join(' × ')} mm`,
    `orientation: ${info.orientation}`,
    `datatype:    ${info.datatype}`,
    `range:       ${info.min} … ${info.max}`,
    'affine:',
    ...info.affine.map((row) => `  ${row.map((v) => round(v).toString().padStart(11)).join(' ')}`),
  ];
  if (info.nifti) {
    lines.push(
      `qform/sform: ${info.nifti.qformCode}/${info.nifti.sformCode}`,
      `description: ${info.nifti.description}`,
    );
  }
  if (info.labels) {
    lines.push(`labels:      ${info.labels.length} (value: voxels)`);
    for (const { value, voxels } of info.labels) lines.push(`  ${String(value).padStart(6)}: ${voxels}`);
  }
  return lines.join('\n');
}

export const spec = {
  name: 'info',
  positionals: '<volume | dicom-dir>',
  arity: [1, 1],
  options: [
    { name: 'json', type: 'flag', help: 'machine-readable output' },
    { name: 'series', type: 'string', value: 'UID', help: 'the series to read from a folder with several' },
  ],
} as const satisfies CommandSpec;

export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const path = line.positional[0] ?? '';
  const series = line.string('series');
  const volume = await readVolume(path, series === undefined ? {} : { series });
  const info = describeVolume(volume, path);
  console.log(line.flag('json') ? JSON.stringify(info) : formatVolumeInfo(info));
  return 0;
}
