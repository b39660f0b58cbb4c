/**
 * Preprocessing (DESIGN.md §3): reorient to RAS, resample to the run's target spacing, then normalise
 * each channel (CT window, CT foreground z-score from a plan, or MR z-score), giving float32 voxels on
 * the model's grid. With one intensity setting per channel every channel is kept (BraTS: 4).
 */
import { existsSync } from 'node:fs';
import { fileError, InputError } from '../errors.js';
import { readVolume } from '../io/read-volume.js';
import { ctWindow, ctZScore, percentiles, zScoreNormalize } from '../volume/intensity.js';
import { replaceNonFinite } from '../volume/non-finite.js';
import { reorientToRas } from '../volume/orientation.js';
import { resampleToSpacing, worldToVoxel } from '../volume/resample.js';
import type { Volume } from '../volume/volume.js';
import type { PreparedVolume, VolumeCache } from './volume-cache.js';

export type IntensitySetting =
  | { kind: 'ct'; min: number; max: number }
  | { kind: 'ct-zscore'; low: number; high: number; mean: number; sd: number }
  | { kind: 'zscore' }
  | { kind: 'auto' };

export interface PreprocessSettings {
  /** Target voxel size in mm (x, y, z) after reorientation to RAS. */
  spacing: [number, number, number];
  /**
   * 'ct': clip to [min, max] HU and scale to [0, 1]; 'ct-zscore': clip to [low, high] (the plan's
   * foreground 0.5–99.5 percentiles) then (v − mean) / sd with the dataset's foreground statistics
   * (nnU-Net's CTNormalization); 'zscore': per-image z-score over non-zero voxels (MR);
   * 'auto': CT window when the 1st percentile is below -200 (air in Hounsfield units), else z-score.
   * A list gives one setting per input channel, and then every channel is kept, in order; a single
   * setting uses the first channel only.
   */
  intensity: IntensitySetting | IntensitySetting[];
}

/** The abdominal soft-tissue window (-175…250 HU), the usual choice for BTCV/AMOS organs. */
export const defaultPreprocess: PreprocessSettings = {
  spacing: [1.5, 1.5, 3],
  intensity: { kind: 'ct', min: -175, max: 250 },
};

/** Normalises intensities as `setting` says (for 'auto', decides from the data). */
export function normalizeIntensity(data: Volume['data'], setting: IntensitySetting): Float32Array {
  if (setting.kind === 'ct') return ctWindow(data, setting.min, setting.max);
  if (setting.kind === 'ct-zscore') return ctZScore(data, setting);
  if (setting.kind === 'zscore') return zScoreNormalize(data, { nonzero: true });
  const [p1] = percentiles(data, [1]);
  return p1! < -200 ? ctWindow(data, -175, 250) : zScoreNormalize(data, { nonzero: true });
}

/** The intensity setting of each channel a run uses (see `PreprocessSettings.intensity`). */
export function channelSettings(settings: PreprocessSettings): IntensitySetting[] {
  return Array.isArray(settings.intensity) ? settings.intensity : [settings.intensity];
}

/** Channel `c` of a (possibly multi-channel) volume as a 3D volume sharing its voxels. */
export function channelOf(volume: Volume, c: number): Volume {
  const [nx, ny, nz] = [volume.dims[0] ?? 1, volume.dims[1] ?? 1, volume.dims[2] ?? 1];
  const n = nx * ny * nz;
  if ((volume.dims[3] ?? 1) === 1 && c === 0) return volume;
  return { ...volume, dims: [nx, ny, nz], data: volume.data.subarray(c * n, (c + 1) * n) };
}

/**
 * Reorient, resample and normalise one volume: the first channel with a single intensity setting,
 * else one channel per setting, stacked channel-major in `data` (`channels` of them).
 */
export function preprocessVolume(volume: Volume, settings: PreprocessSettings): PreparedVolume {
  const perChannel = channelSettings(settings);
  const available = volume.dims[3] ?? 1;
  if (perChannel.length > available)
    throw fileError(
      volume.source?.path ?? 'image',
      `has ${available} channel(s), the run expects ${perChannel.length}`,
    );
  worldToVoxel(volume); // a degenerate affine is an error naming the file, before any work
  const prepared = perChannel.map((setting, c) => {
    const ras = reorientToRas(replaceNonFinite(channelOf(volume, c)));
    const resampled = resampleToSpacing(ras, settings.spacing, 'linear', { fill: minimum(ras.data) });
    return { resampled, data: normalizeIntensity(resampled.data, setting) };
  });
  const { resampled } = prepared[0]!;
  const dims = [resampled.dims[0] ?? 1, resampled.dims[1] ?? 1, resampled.dims[2] ?? 1] as [
    number,
    number,
    number,
  ];
  let data = prepared[0]!.data;
  if (prepared.length > 1) {
    data = new Float32Array(data.length * prepared.length);
    for (const [c, p] of prepared.entries()) data.set(p.data, c * p.data.length);
  }
  return {
    data,
    dims,
    spacing: [...settings.spacing],
    affine: resampled.affine.map((r) => [...r]),
    ...(prepared.length > 1 ? { channels: prepared.length } : {}),
  };
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
