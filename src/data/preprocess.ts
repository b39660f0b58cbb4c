/**
 * Preprocessing for pre-training (DESIGN.md §3): reorient to RAS, resample to the run's target
 * spacing, then CT window or MR z-score, giving float32 voxels on the model's grid.
 */
import { existsSync } from 'node:fs';
import { fileError, InputError } from '../errors.js';
import { readVolume } from '../io/read-volume.js';
import { ctWindow, percentiles, zScoreNormalize } from '../volume/intensity.js';
import { replaceNonFinite } from '../volume/non-finite.js';
import { reorientToRas } from '../volume/orientation.js';
import { resampleToSpacing, worldToVoxel } from '../volume/resample.js';
import type { Volume } from '../volume/volume.js';
import type { PreparedVolume, VolumeCache } from './volume-cache.js';

export type IntensitySetting =
  | { kind: 'ct'; min: number; max: number }
  | { kind: 'zscore' }
  | { kind: 'auto' };

export interface PreprocessSettings {
  /** Target voxel size in mm (x, y, z) after reorientation to RAS. */
  spacing: [number, number, number];
  /**
   * 'ct': clip to [min, max] HU and scale to [0, 1]; 'zscore': MR normalisation over non-zero voxels;
   * 'auto': CT when the 1st percentile is below -200 (air in Hounsfield units), else z-score.
   */
  intensity: IntensitySetting;
}

/** The abdominal soft-tissue window (-175…250 HU), the usual choice for BTCV/AMOS organs. */
export const defaultPreprocess: PreprocessSettings = {
  spacing: [1.5, 1.5, 3],
  intensity: { kind: 'ct', min: -175, max: 250 },
};

/** Normalises intensities as `setting` says (for 'auto', decides from the data). */
export function normalizeIntensity(data: Volume['data'], setting: IntensitySetting): Float32Array {
  if (setting.kind === 'ct') return ctWindow(data, setting.min, setting.max);
  if (setting.kind === 'zscore') return zScoreNormalize(data, { nonzero: true });
  const [p1] = percentiles(data, [1]);
  return p1! < -200 ? ctWindow(data, -175, 250) : zScoreNormalize(data, { nonzero: true });
}

/** Reorient, resample and normalise one volume (first channel of a multi-channel one). */
export function preprocessVolume(volume: Volume, settings: PreprocessSettings): PreparedVolume {
  const [nx, ny, nz] = [volume.dims[0] ?? 1, volume.dims[1] ?? 1, volume.dims[2] ?? 1];
  const single: Volume =
    (volume.dims[3] ?? 1) > 1
      ? { ...volume, dims: [nx, ny, nz], data: volume.data.subarray(0, nx * ny * nz) }
      : volume;
  worldToVoxel(single); // a degenerate affine is an error naming the file, before any work
  const ras = reorientToRas(replaceNonFinite(single));
  const resampled = resampleToSpacing(ras, settings.spacing, 'linear', { fill: minimum(ras.data) });
  const data = normalizeIntensity(resampled.data, settings.intensity);
  const dims = [resampled.dims[0] ?? 1, resampled.dims[1] ?? 1, resampled.dims[2] ?? 1] as [
    number,
    number,
    number,
  ];
  return { data, dims, spacing: [...settings.spacing], affine: resampled.affine.map((r) => [...r]) };
}

function minimum(data: Volume['data']): number {
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < data.length; i++) if (data[i]! < m) m = data[i]!;
  return Number.isFinite(m) ? m : 0;
}

/** Reads and preprocesses an image (through the on-disk cache when given); errors name the file. */
export async function loadPrepared(
  path: string,
  settings: PreprocessSettings,
  cache?: VolumeCache,
): Promise<PreparedVolume> {
  const compute = async () => {
    let volume: Volume;
    try {
      volume = await readVolume(path);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw fileError(path, `unreadable image (${(error as Error).message})`);
    }
    return preprocessVolume(volume, settings);
  };
  if (!existsSync(path)) throw fileError(path, 'image not found');
  return cache ? cache.getOrCompute(path, { ...settings, version: 1 }, compute) : compute();
}
