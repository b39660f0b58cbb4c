// A resection on a real scan: the organ's voxels (and a one-voxel rim) are refilled with tissue copied
// from elsewhere in the same scan — fat, bowel and unlabelled soft tissue — so the empty bed looks
// like a post-operative abdomen (fat and bowel loops moving in), not a flat hole a model could spot.
// The copy is a rigid shift of the whole region (texture stays coherent), chosen among random shifts
// for the one whose target lands most on such tissue; voxels it misses take the next-best shift.
import type { Random } from '../phantom/random.js';

export interface ResectionInput {
  image: Float32Array;
  labels: Uint16Array | Uint8Array;
  dims: [number, number, number];
  /** Source label values of the organ to remove. */
  organValues: number[];
  /** Labels whose voxels may donate tissue besides background (bowel, fat). */
  donorValues: number[];
}

/** Soft tissue, fat or fluid: what may fill a surgical bed (no gas, no bone, no contrast-filled vessel). */
const isDonorHu = (hu: number) => hu > -200 && hu < 120;

/**
 * Removes the organ in place: its labels become background and its voxels take tissue from the
 * scan. Returns the number of voxels refilled.
 */
export function resectOrgan(input: ResectionInput, rng: Random): number {
  const { image, labels, dims, organValues } = input;
  const [nx, ny, nz] = dims;
  const organ = new Set(organValues);
  const donor = new Set([0, ...input.donorValues]);
  // The region: the organ and a one-voxel rim of background around it (its partial-volume edge).
  const region: number[] = [];
  let count = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        if (organ.has(labels[i]!)) {
          count++;
          region.push(i);
        } else if (labels[i] === 0 && touches(labels, organ, dims, x, y, z)) region.push(i);
      }
  if (count === 0) return 0;
  const radius = Math.cbrt((3 * count) / (4 * Math.PI));
  const candidates: { shift: [number, number, number]; score: number }[] = [];
  for (let attempt = 0; attempt < 160; attempt++) {
    const angle = rng.uniform(0, 2 * Math.PI);
    const distance = rng.uniform(1.2, 3.5) * radius;
    const shift: [number, number, number] = [
      Math.round(distance * Math.cos(angle)),
      Math.round(distance * Math.sin(angle)),
      rng.int(-2, 2),
    ];
    let good = 0;
    // Score on a sample of the region's voxels: enough to rank shifts, 1/8 of the cost.
    for (let r = 0; r < region.length; r += 8) {
      const j = shifted(region[r]!, shift, dims);
      if (j >= 0 && donor.has(labels[j]!) && !organ.has(labels[j]!) && isDonorHu(image[j]!)) good++;
    }
    candidates.push({ shift, score: good });
  }
  candidates.sort((a, b) => b.score - a.score);
  const best = candidates.slice(0, 6).map((c) => c.shift);
  const filled = new Float32Array(region.length);
  for (let r = 0; r < region.length; r++) {
    const i = region[r]!;
    let value: number | undefined;
    for (const shift of best) {
      const j = shifted(i, shift, dims);
      if (j >= 0 && donor.has(labels[j]!) && !organ.has(labels[j]!) && isDonorHu(image[j]!)) {
        value = image[j]!;
        break;
      }
    }
    // Nothing suitable under any shift (a region walled in by organs and bone): fat with its grain.
    filled[r] = value ?? rng.normal(-95, 12);
  }
  for (let r = 0; r < region.length; r++) {
    const i = region[r]!;
    image[i] = filled[r]!;
    if (organ.has(labels[i]!)) labels[i] = 0;
  }
  return region.length;
}

function shifted(i: number, shift: [number, number, number], dims: [number, number, number]): number {
  const [nx, ny, nz] = dims;
  const x = (i % nx) + shift[0];
  const y = (Math.floor(i / nx) % ny) + shift[1];
  const z = Math.floor(i / (nx * ny)) + shift[2];
  if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) return -1;
  return x + nx * (y + ny * z);
}

function touches(
  labels: ArrayLike<number>,
  organ: Set<number>,
  dims: [number, number, number],
  x: number,
  y: number,
  z: number,
): boolean {
  const [nx, ny, nz] = dims;
  const i = x + nx * (y + ny * z);
  return (
    (x > 0 && organ.has(labels[i - 1]!)) ||
    (x < nx - 1 && organ.has(labels[i + 1]!)) ||
    (y > 0 && organ.has(labels[i - nx]!)) ||
    (y < ny - 1 && organ.has(labels[i + nx]!)) ||
    (z > 0 && organ.has(labels[i - nx * ny]!)) ||
    (z < nz - 1 && organ.has(labels[i + nx * ny]!))
  );
}
