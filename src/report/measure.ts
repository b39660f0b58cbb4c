import type { Volume } from '../volume/volume.js';

/** Size of one labelled structure, measured in scanner (RAS) millimetres through the affine. */
export interface StructureSize {
  voxels: number;
  volumeMl: number;
  /** Extent along R-L, A-P and S-I (craniocaudal), voxel footprint included. */
  extentMm: [number, number, number];
  /** The largest of the three extents, e.g. the spleen's length. */
  lengthMm: number;
}

interface Box {
  voxels: number;
  min: [number, number, number];
  max: [number, number, number];
}

/**
 * Bounding boxes in RAS mm of every non-zero label value of a label map (one pass over the voxels).
 * Oblique affines are handled: each voxel centre is mapped, and the voxel's own projected size added.
 */
export function labelBoxes(labelMap: Volume): Map<number, Box> {
  const [nx = 1, ny = 1, nz = 1] = labelMap.dims;
  const a = labelMap.affine;
  const boxes = new Map<number, Box>();
  const data = labelMap.data;
  let index = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      // RAS of voxel (0, j, k); stepping i adds the affine's first column.
      const base = [0, 1, 2].map((r) => a[r]![1]! * j + a[r]![2]! * k + a[r]![3]!) as [
        number,
        number,
        number,
      ];
      for (let i = 0; i < nx; i++, index++) {
        const value = data[index]!;
        if (value === 0) continue;
        let box = boxes.get(value);
        if (!box) {
          box = { voxels: 0, min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
          boxes.set(value, box);
        }
        box.voxels++;
        for (let r = 0; r < 3; r++) {
          const x = base[r]! + a[r]![0]! * i;
          if (x < box.min[r]!) box.min[r] = x;
          if (x > box.max[r]!) box.max[r] = x;
        }
      }
    }
  }
  return boxes;
}

/** Size of the structure made of `labels` (their union), or undefined when it has no voxels. */
export function structureSize(
  labelMap: Volume,
  labels: number[],
  boxes: Map<number, Box> = labelBoxes(labelMap),
): StructureSize | undefined {
  const a = labelMap.affine;
  const parts = labels.map((l) => boxes.get(l)).filter((b): b is Box => b !== undefined);
  if (parts.length === 0) return undefined;
  const voxels = parts.reduce((s, b) => s + b.voxels, 0);
  const extent = [0, 1, 2].map((r) => {
    const footprint = Math.abs(a[r]![0]!) + Math.abs(a[r]![1]!) + Math.abs(a[r]![2]!);
    const min = Math.min(...parts.map((b) => b.min[r]!));
    const max = Math.max(...parts.map((b) => b.max[r]!));
    return max - min + footprint;
  }) as [number, number, number];
  const det =
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
    a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
    a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  return {
    voxels,
    volumeMl: (voxels * Math.abs(det)) / 1000,
    extentMm: extent,
    lengthMm: Math.max(...extent),
  };
}
