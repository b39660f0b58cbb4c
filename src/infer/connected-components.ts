/**
 * Largest-connected-component post-processing (`mosmos segment --postprocess lcc`), as TotalSegmentator
 * and nnU-Net offer: for every organ label, voxels outside its largest connected component are set to
 * background, removing the small false-positive islands a sliding-window network leaves. Connectivity
 * is 26 by default (voxels sharing a face, edge or corner are connected, as scipy.ndimage.label with a
 * full 3×3×3 structure); 6 connects only through faces.
 * Memory: one int32 component id per voxel and an int32 queue (8 bytes per voxel).
 */

export type Connectivity = 6 | 26;

function neighbourOffsets(connectivity: Connectivity): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const manhattan = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (manhattan === 0 || (connectivity === 6 && manhattan > 1)) continue;
        out.push([dx, dy, dz]);
      }
  return out;
}

/**
 * Connected components of equal non-zero values: component id per voxel (0 = background, ids from 1)
 * and the size and label value of each component (index id − 1).
 */
export function labelComponents(
  labels: ArrayLike<number>,
  dims: readonly [number, number, number],
  connectivity: Connectivity = 26,
): { ids: Int32Array; sizes: number[]; values: number[] } {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  if (labels.length !== n) throw new RangeError(`label map has ${labels.length} voxels, dims give ${n}`);
  const ids = new Int32Array(n);
  const queue = new Int32Array(n);
  const offsets = neighbourOffsets(connectivity);
  const sizes: number[] = [];
  const values: number[] = [];
  for (let seed = 0; seed < n; seed++) {
    const value = labels[seed]!;
    if (value === 0 || ids[seed] !== 0) continue;
    const id = sizes.length + 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    ids[seed] = id;
    while (head < tail) {
      const v = queue[head++]!;
      const x = v % nx;
      const y = Math.floor(v / nx) % ny;
      const z = Math.floor(v / (nx * ny));
      for (const [dx, dy, dz] of offsets) {
        const xx = x + dx;
        const yy = y + dy;
        const zz = z + dz;
        if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
        const u = (zz * ny + yy) * nx + xx;
        if (ids[u] === 0 && labels[u] === value) {
          ids[u] = id;
          queue[tail++] = u;
        }
      }
    }
    sizes.push(tail);
    values.push(value);
  }
  return { ids, sizes, values };
}

/**
 * Keeps, for every label value, only its largest connected component (ties: the first found in
 * voxel order); returns a new array of the same type.
 * @example const cleaned = keepLargestComponents(seg.data, [nx, ny, nz]);
 */
export function keepLargestComponents<T extends Uint8Array | Uint16Array | Int16Array | Int32Array>(
  labels: T,
  dims: readonly [number, number, number],
  connectivity: Connectivity = 26,
): T {
  const { ids, sizes, values } = labelComponents(labels, dims, connectivity);
  const best = new Map<number, number>(); // label value → component id
  sizes.forEach((size, i) => {
    const current = best.get(values[i]!);
    if (current === undefined || size > sizes[current - 1]!) best.set(values[i]!, i + 1);
  });
  const out = labels.slice() as T;
  for (let v = 0; v < out.length; v++) {
    const id = ids[v]!;
    if (id !== 0 && best.get(values[id - 1]!) !== id) out[v] = 0;
  }
  return out;
}
