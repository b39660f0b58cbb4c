// Focal lesions painted into a real organ: hypodense liver lesions (cysts, metastases) and simple renal
// cysts. A lesion is a slightly irregular ball placed wholly inside its organ, with a soft one-voxel
// edge and the organ's own grain damped inside it; labels are not changed (BTCV labels the organ
// including its lesions).
import type { PhantomLesion } from '../phantom/findings.js';
import type { PhantomOrgan } from '../phantom/organs.js';
import type { Random } from '../phantom/random.js';
import type { Matrix4 } from '../volume/volume.js';

export interface LesionTarget {
  image: Float32Array;
  labels: ArrayLike<number>;
  dims: [number, number, number];
  spacing: [number, number, number];
  /** Source voxel → RAS mm, to report lesion centres in millimetres. */
  affine: Matrix4;
}

/**
 * Paints up to `count` lesions into the organ made of `organValues`; returns those placed (a small
 * organ may hold fewer). Liver lesions are 20–60 HU below the parenchyma (at least 5 HU), renal cysts
 * water-dense (0–15 HU).
 */
export function paintLesions(
  target: LesionTarget,
  organ: PhantomOrgan,
  organValues: number[],
  kind: PhantomLesion['kind'],
  count: number,
  rng: Random,
): PhantomLesion[] {
  const { image, labels, dims, spacing } = target;
  const [nx, ny, nz] = dims;
  const inOrgan = new Set(organValues);
  const voxels: number[] = [];
  let sum = 0;
  for (let i = 0; i < labels.length; i++)
    if (inOrgan.has(labels[i]!)) {
      voxels.push(i);
      sum += image[i]!;
    }
  if (voxels.length === 0) return [];
  const parenchyma = sum / voxels.length;
  const placed: PhantomLesion[] = [];
  for (let n = 0; n < count; n++) {
    const radiusMm = kind === 'cyst' ? rng.uniform(5, 16) : rng.uniform(4, 14);
    const hu = kind === 'cyst' ? rng.uniform(0, 15) : Math.max(5, parenchyma - rng.uniform(20, 60));
    // Try random organ voxels as centres until the whole ball fits in the organ.
    for (let attempt = 0; attempt < 40; attempt++) {
      const c = voxels[rng.int(0, voxels.length - 1)]!;
      const center = [c % nx, Math.floor(c / nx) % ny, Math.floor(c / (nx * ny))] as const;
      const r = [0, 1, 2].map((a) => radiusMm / spacing[a]!);
      const lo = center.map((v, a) => Math.floor(v - r[a]! - 1));
      const hi = center.map((v, a) => Math.ceil(v + r[a]! + 1));
      if (lo[0]! < 0 || lo[1]! < 0 || lo[2]! < 0 || hi[0]! >= nx || hi[1]! >= ny || hi[2]! >= nz) continue;
      // A lumpy outline: the radius varies by ±15 % with direction.
      const lumps = [rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15)];
      const inside: [number, number][] = [];
      let fits = true;
      for (let z = lo[2]!; z <= hi[2]! && fits; z++)
        for (let y = lo[1]!; y <= hi[1]! && fits; y++)
          for (let x = lo[0]!; x <= hi[0]!; x++) {
            const d = [(x - center[0]) / r[0]!, (y - center[1]) / r[1]!, (z - center[2]) / r[2]!];
            const norm = Math.hypot(d[0]!, d[1]!, d[2]!);
            const bend =
              norm > 0 ? 1 + (lumps[0]! * d[0]! + lumps[1]! * d[1]! + lumps[2]! * d[2]!) / norm : 1;
            const edge = norm / bend;
            if (edge > 1.5) continue;
            const i = x + nx * (y + ny * z);
            if (edge <= 1 && !inOrgan.has(labels[i]!)) {
              fits = false;
              break;
            }
            // Weight 1 inside, falling to 0 over half a radius-unit: a partial-volume edge.
            const w = Math.min(1, Math.max(0, (1.5 - edge) / 0.5));
            if (w > 0 && inOrgan.has(labels[i]!)) inside.push([i, w]);
          }
      if (!fits) continue;
      for (const [i, w] of inside) {
        // Keep a quarter of the parenchyma's grain: lesions are smoother than liver but not flat.
        const grain = 0.25 * (image[i]! - parenchyma);
        image[i] = (1 - w) * image[i]! + w * (hu + grain + rng.normal(0, 3));
      }
      const a = target.affine;
      const mm = [0, 1, 2].map(
        (row) => a[row]![0]! * center[0] + a[row]![1]! * center[1] + a[row]![2]! * center[2] + a[row]![3]!,
      );
      placed.push({
        organ,
        kind,
        center: [mm[0]!, mm[1]!, mm[2]!],
        radiusMm: Math.round(radiusMm * 10) / 10,
        hu: Math.round(hu),
      });
      break;
    }
  }
  return placed;
}
