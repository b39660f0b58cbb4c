/**
 * Per-organ figures of a label map, as TotalSegmentator's `--statistics`: volume in millilitres (voxel
 * count × voxel volume from the affine) and the mean intensity of the image under the organ.
 */
import { determinant3 } from '../volume/matrix.js';
import type { Volume } from '../volume/volume.js';

export interface OrganStatistics {
  label: number;
  name: string;
  voxels: number;
  /** mL (1 mL = 1000 mm³). */
  volumeMl: number;
  /** Mean image value (e.g. HU) over the organ's voxels; null when the organ is empty. */
  meanIntensity: number | null;
}

/** Statistics of every label in `names` (label value → name, 0 skipped); image on the same grid. */
export function organStatistics(
  labels: Volume,
  image: Volume,
  names: Record<string, string>,
): OrganStatistics[] {
  const count = labels.data.length;
  if (image.data.length < count) throw new RangeError('image and label map are not on the same grid');
  const voxelMm3 = Math.abs(determinant3(labels.affine.slice(0, 3).map((r) => r.slice(0, 3))));
  const sums = new Map<number, { n: number; sum: number }>();
  for (let i = 0; i < count; i++) {
    const l = labels.data[i]!;
    if (l === 0) continue;
    const s = sums.get(l) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += image.data[i]!;
    sums.set(l, s);
  }
  return Object.entries(names)
    .map(([value, name]) => ({ label: Number(value), name }))
    .filter((e) => e.label !== 0)
    .sort((a, b) => a.label - b.label)
    .map(({ label, name }) => {
      const s = sums.get(label);
      return {
        label,
        name,
        voxels: s?.n ?? 0,
        volumeMl: ((s?.n ?? 0) * voxelMm3) / 1000,
        meanIntensity: s ? s.sum / s.n : null,
      };
    });
}
