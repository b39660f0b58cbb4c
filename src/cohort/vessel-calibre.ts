// The calibre of the inferior vena cava differs between patients more than any other abdominal
// structure's: round and 20–25 mm across when well filled, a flat slit in a dehydrated patient or
// one who breathes in (IVC collapsibility is how volume status is judged), wide in right heart
// failure. One source scan shows one calibre, so a model grown from it learns that calibre as the
// IVC's shape. Patient B's intrahepatic IVC is a flat crescent (AP ≈ 0.4 × its width) where A's is
// round, and the first models placed a round IVC beside it.
//
// A case therefore flattens or widens the IVC about its own centreline: a backward map that scales
// a point's front–back and left–right offsets from the centreline of its slice, fading with distance
// so that the liver and fat around the vessel fill the space it gives up. The label follows through
// the same map, so the IVC stays labelled with its new outline.
import type { Random } from '../phantom/random.js';
import type { Vec3 } from './deformation.js';

/** The vessels whose calibre a grown case varies (target organ names). */
export const VARIED_VESSELS: readonly string[] = ['inferior vena cava'];

/** Front–back and left–right scale of the IVC's cross-section (1 = as scanned). */
export const IVC_CALIBRE = { frontBack: [0.45, 1.15], leftRight: [0.9, 1.25] } as const;

/** A vessel in the source: one centroid per slice that holds it (RAS mm, z increasing), its mean radius. */
export interface VesselCentreline {
  points: Vec3[];
  radiusMm: number;
}

/** One vessel's centreline (one point per source slice, RAS mm, z increasing) and its new calibre. */
export interface VesselCalibre {
  organ: string;
  z: Float64Array;
  x: Float64Array;
  y: Float64Array;
  /** Fall-off of the change with distance from the centreline, mm (1.3 × the vessel's radius). */
  sigma: number;
  /** Scale of the cross-section along x (left–right) and y (front–back). */
  scale: [number, number];
}

/**
 * The centreline of the voxels with a value in `values`: the centroid of each slice that holds
 * some (labels and volume RAS-oriented, `toMm` voxel → mm), and the vessel's mean radius.
 */
export function vesselCentreline(
  labels: ArrayLike<number>,
  dims: [number, number, number],
  values: ReadonlySet<number>,
  toMm: (x: number, y: number, z: number) => Vec3,
  voxelAreaMm2: number,
): VesselCentreline | undefined {
  const [nx, ny, nz] = dims;
  const points: Vec3[] = [];
  let area = 0;
  for (let z = 0; z < nz; z++) {
    let n = 0;
    let sx = 0;
    let sy = 0;
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        if (values.has(labels[x + nx * (y + ny * z)]!)) {
          n++;
          sx += x;
          sy += y;
        }
    if (n === 0) continue;
    points.push(toMm(sx / n, sy / n, z));
    area += n * voxelAreaMm2;
  }
  if (points.length === 0) return undefined;
  points.sort((a, b) => a[2] - b[2]);
  return { points, radiusMm: Math.sqrt(area / points.length / Math.PI) };
}

/** A case's calibre for a vessel with the given centreline, drawn from `IVC_CALIBRE`. */
export function drawVesselCalibre(organ: string, centreline: VesselCentreline, rng: Random): VesselCalibre {
  const { points, radiusMm } = centreline;
  return {
    organ,
    z: Float64Array.from(points, (p) => p[2]),
    x: Float64Array.from(points, (p) => p[0]),
    y: Float64Array.from(points, (p) => p[1]),
    sigma: 1.3 * radiusMm,
    scale: [rng.uniform(...IVC_CALIBRE.leftRight), rng.uniform(...IVC_CALIBRE.frontBack)],
  };
}

/**
 * Moves the point `p` (RAS mm, in place) to where it comes from in the source: its offset from the
 * centreline of its slice is scaled by 1/scale near the vessel, fading as exp(−d²/2σ²), and the
 * change fades out over σ beyond the centreline's ends. r ↦ r·(1 + w(r)·(1/s − 1)) is monotonic in r
 * for every scale above 0.31, so the drawn ones (`IVC_CALIBRE`) keep the map one-to-one.
 */
export function applyVesselCalibre(c: VesselCalibre, p: Float64Array): void {
  const n = c.z.length;
  const pz = p[2]!;
  // The centreline point at this height: linear between slices, held beyond the ends.
  let cx: number;
  let cy: number;
  let beyond = 0;
  if (pz <= c.z[0]!) {
    cx = c.x[0]!;
    cy = c.y[0]!;
    beyond = c.z[0]! - pz;
  } else if (pz >= c.z[n - 1]!) {
    cx = c.x[n - 1]!;
    cy = c.y[n - 1]!;
    beyond = pz - c.z[n - 1]!;
  } else {
    let hi = 1;
    while (c.z[hi]! < pz) hi++;
    const t = (pz - c.z[hi - 1]!) / (c.z[hi]! - c.z[hi - 1]! || 1);
    cx = c.x[hi - 1]! + t * (c.x[hi]! - c.x[hi - 1]!);
    cy = c.y[hi - 1]! + t * (c.y[hi]! - c.y[hi - 1]!);
  }
  const ex = p[0]! - cx;
  const ey = p[1]! - cy;
  const s2 = 2 * c.sigma * c.sigma;
  const w = Math.exp(-(ex * ex + ey * ey + beyond * beyond) / s2);
  if (w < 1e-4) return;
  p[0] = cx + ex * (1 + w * (1 / c.scale[0] - 1));
  p[1] = cy + ey * (1 + w * (1 / c.scale[1] - 1));
}
