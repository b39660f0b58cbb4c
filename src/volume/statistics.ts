/** Summary statistics of a volume's voxels: value range and, for label maps, voxels per label. */
import type { DataType, VoxelArray } from './volume.js';

/** Smallest and largest value, ignoring NaN ([NaN, NaN] when there is none). */
export function valueRange(data: VoxelArray): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min > max ? [Number.NaN, Number.NaN] : [min, max];
}

/**
 * Voxel count per distinct value, ascending, for integer volumes with at most `maxLabels` distinct
 * values (a label map); null for float volumes or when there are more (an image).
 */
export function labelCounts(
  data: VoxelArray,
  datatype: DataType,
  maxLabels = 256,
): [number, number][] | null {
  if (datatype === 'float32' || datatype === 'float64') return null;
  if (datatype === 'uint8' || datatype === 'int8' || datatype === 'int16' || datatype === 'uint16') {
    // A direct histogram over the whole 8/16-bit range: one pass, no hashing.
    const offset = datatype === 'int8' ? 128 : datatype === 'int16' ? 32768 : 0;
    const histogram = new Float64Array(datatype === 'uint8' || datatype === 'int8' ? 256 : 65536);
    for (let i = 0; i < data.length; i++) histogram[data[i]! + offset]!++;
    const counts: [number, number][] = [];
    for (let v = 0; v < histogram.length; v++) {
      if (histogram[v]! > 0) {
        if (counts.length === maxLabels) return null;
        counts.push([v - offset, histogram[v]!]);
      }
    }
    return counts;
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const n = counts.get(v);
    if (n === undefined) {
      if (counts.size === maxLabels) return null;
      counts.set(v, 1);
    } else counts.set(v, n + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}
