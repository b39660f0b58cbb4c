// A labelled real scan a cohort grows from, read once and measured: its voxels in RAS order (HU; an
// MR becomes a pseudo-CT first, pseudo-ct.ts), its label map in the source scheme with the mapping
// onto the target organs, each organ's centre and size, the centrelines of the vessels whose calibre
// cases vary, the body's extent and the contrast phase.
import { fileError } from '../errors.js';
import { readVolume } from '../io/read-volume.js';
import { reorientToRas } from '../volume/orientation.js';
import type { Matrix4, Volume } from '../volume/volume.js';
import type { Box } from './acquisition.js';
import { type ContrastPhase, estimatePhase, labelMedians } from './contrast-phase.js';
import type { Vec3 } from './deformation.js';
import { type LabelNames, type SchemeMapping, sourceValuesOf } from './label-scheme.js';
import { pseudoCtFromMr } from './pseudo-ct.js';
import { VARIED_VESSELS, type VesselCentreline, vesselCentreline } from './vessel-calibre.js';

/** What the source scan is: a CT is used as it is, an MR as its pseudo-CT. */
export type SourceModality = 'ct' | 'mr';

export interface OrganExtent {
  /** Centroid, RAS mm. */
  center: Vec3;
  /** Radius of the ball of the same volume, mm. */
  radiusMm: number;
  /** Craniocaudal range, RAS mm. */
  zRange: [number, number];
}

export interface SourceScan {
  image: Float32Array;
  labels: Uint16Array;
  dims: [number, number, number];
  spacing: [number, number, number];
  affine: Matrix4;
  names: LabelNames;
  mapping: SchemeMapping;
  /** Target organs present in the source, with their extent. */
  organs: Map<string, OrganExtent>;
  /** Centrelines of the `VARIED_VESSELS` the source shows (their calibre varies per grown case). */
  centrelines: Map<string, VesselCentreline>;
  /** Median HU per source label value (soft-tissue window). */
  medians: Map<number, number>;
  phase: ContrastPhase | undefined;
  /** Extent of the body (voxels above −500 HU), RAS mm. */
  body: Box;
  path: string;
  modality: SourceModality;
}

/** A labelled volume already in memory (tests, or callers that read it themselves); an MR as pseudo-CT. */
export function sourceFromVolumes(
  image: Volume,
  labels: Volume,
  names: LabelNames,
  mapping: SchemeMapping,
  path = '(in memory)',
  labelPath = path,
  modality: SourceModality = 'ct',
): SourceScan {
  const ras = reorientToRas(image);
  const rasLabels = reorientToRas(labels);
  const dims = [ras.dims[0] ?? 1, ras.dims[1] ?? 1, ras.dims[2] ?? 1] as [number, number, number];
  const same =
    rasLabels.dims.slice(0, 3).every((d, i) => d === dims[i]) &&
    rasLabels.affine.every((row, r) => row.every((v, c) => Math.abs(v - ras.affine[r]![c]!) < 1e-3));
  if (!same)
    throw fileError(
      labelPath,
      `label map grid ${rasLabels.dims.slice(0, 3).join('×')} does not match the image ${dims.join('×')} (${path})`,
    );
  const n = dims[0] * dims[1] * dims[2];
  const scanned = Float32Array.from(ras.data.subarray(0, n) as ArrayLike<number>);
  const labelData = Uint16Array.from(rasLabels.data.subarray(0, n) as ArrayLike<number>);
  // An MR becomes its pseudo-CT here, once its label map is known to share its grid.
  const data = modality === 'mr' ? pseudoCtFromMr(scanned, labelData, dims, names, path) : scanned;
  const affine = ras.affine.map((r) => [...r]);
  const toMm = (x: number, y: number, z: number): Vec3 =>
    [0, 1, 2].map(
      (row) => affine[row]![0]! * x + affine[row]![1]! * y + affine[row]![2]! * z + affine[row]![3]!,
    ) as Vec3;
  const maxLabel = Math.max(0, ...Object.keys(names).map(Number));
  const medians = labelMedians(data, labelData, Math.max(maxLabel, 65535));
  const organs = new Map<string, OrganExtent>();
  const voxelMm3 = ras.spacing[0] * ras.spacing[1] * ras.spacing[2];
  for (const organ of Object.values(mapping.targetNames)) {
    const values = new Set(sourceValuesOf(mapping, organ));
    if (values.size === 0) continue;
    let count = 0;
    const sum = [0, 0, 0];
    let zMin = Number.POSITIVE_INFINITY;
    let zMax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (!values.has(labelData[i]!)) continue;
      const x = i % dims[0];
      const y = Math.floor(i / dims[0]) % dims[1];
      const z = Math.floor(i / (dims[0] * dims[1]));
      sum[0]! += x;
      sum[1]! += y;
      sum[2]! += z;
      zMin = Math.min(zMin, z);
      zMax = Math.max(zMax, z);
      count++;
    }
    if (count === 0) continue;
    const center = toMm(sum[0]! / count, sum[1]! / count, sum[2]! / count);
    const z0 = toMm(0, 0, zMin)[2];
    const z1 = toMm(0, 0, zMax)[2];
    organs.set(organ, {
      center,
      radiusMm: Math.cbrt((3 * count * voxelMm3) / (4 * Math.PI)),
      zRange: [Math.min(z0, z1), Math.max(z0, z1)],
    });
  }
  const centrelines = new Map<string, VesselCentreline>();
  for (const vessel of VARIED_VESSELS) {
    const values = sourceValuesOf(mapping, vessel);
    if (values.length === 0) continue;
    const line = vesselCentreline(labelData, dims, new Set(values), toMm, ras.spacing[0] * ras.spacing[1]);
    if (line) centrelines.set(vessel, line);
  }
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    if (data[i]! <= -500) continue;
    const v = [i % dims[0], Math.floor(i / dims[0]) % dims[1], Math.floor(i / (dims[0] * dims[1]))];
    for (let a = 0; a < 3; a++) {
      if (v[a]! < lo[a]!) lo[a] = v[a]!;
      if (v[a]! > hi[a]!) hi[a] = v[a]!;
    }
  }
  if (!Number.isFinite(lo[0]!))
    throw fileError(path, 'no body found (no voxel above −500 HU): is this a CT?');
  const a = toMm(lo[0]!, lo[1]!, lo[2]!);
  const b = toMm(hi[0]!, hi[1]!, hi[2]!);
  const body: Box = {
    min: [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2])],
    max: [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.max(a[2], b[2])],
  };
  return {
    image: data,
    labels: labelData,
    dims,
    spacing: [...ras.spacing],
    affine,
    names,
    mapping,
    organs,
    centrelines,
    medians,
    phase: estimatePhase(medians, names),
    body,
    path,
    modality,
  };
}

/** Reads a CT or MR (NIfTI or DICOM folder) and its label map; the grids must match. */
export async function readSourceScan(
  imagePath: string,
  labelPath: string,
  names: LabelNames,
  mapping: SchemeMapping,
  modality: SourceModality = 'ct',
): Promise<SourceScan> {
  const image = await readVolume(imagePath);
  const labels = await readVolume(labelPath);
  return sourceFromVolumes(image, labels, names, mapping, imagePath, labelPath, modality);
}
