/**
 * Multi-channel images from one file per channel (BraTS t1, t1ce, t2, flair): the files must share
 * one grid, and their voxels are stacked channel-major into a 4D volume [nx, ny, nz, channels].
 */
import { fileError } from '../errors.js';
import type { Volume } from './volume.js';

/** Largest difference of affine entries (mm) still taken as the same grid (float32 header noise). */
const AFFINE_TOLERANCE = 1e-3;

/**
 * One volume with the channels of `volumes` in order; errors name the file whose grid differs.
 *
 * @example const mri = stackChannels([t1, t1ce, t2, flair], ['t1.nii.gz', 't1ce.nii.gz', 't2.nii.gz', 'flair.nii.gz']);
 */
export function stackChannels(volumes: readonly Volume[], paths: readonly string[]): Volume {
  const first = volumes[0];
  if (!first) throw new RangeError('stackChannels needs at least one volume');
  if (volumes.length === 1) return first;
  const dims = [first.dims[0] ?? 1, first.dims[1] ?? 1, first.dims[2] ?? 1];
  const n = dims[0]! * dims[1]! * dims[2]!;
  const data = new Float32Array(n * volumes.length);
  volumes.forEach((v, c) => {
    const path = paths[c] ?? `channel ${c}`;
    if ((v.dims[3] ?? 1) !== 1) throw fileError(path, `has ${v.dims[3]} channels; expected one per file`);
    if (v.data.length !== n || dims.some((d, a) => d !== (v.dims[a] ?? 1)))
      throw fileError(path, `grid ${v.dims.join('×')} differs from ${paths[0]}'s ${dims.join('×')}`);
    const far = v.affine.some((row, i) =>
      row.some((x, j) => Math.abs(x - first.affine[i]![j]!) > AFFINE_TOLERANCE),
    );
    if (far) throw fileError(path, `voxel-to-world affine differs from ${paths[0]}'s (not co-registered?)`);
    data.set(v.data, c * n);
  });
  return { ...first, data, datatype: 'float32', dims: [...dims, volumes.length] };
}
