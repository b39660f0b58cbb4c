// The geometry of a grown case: where each point of the new patient comes from in the source scan.
// A backward map (new RAS mm → source RAS mm) composed of the body habitus (global and in-plane
// scaling, a small yaw, a shift), a smooth large-scale displacement (organ shape and position), and
// local radial scalings around organs (organomegaly, atrophy), then a vessel's calibre about its
// centreline (vessel-calibre.ts). Backward maps compose by chaining,
// and sampling through them never leaves holes.
import type { Random } from '../phantom/random.js';
import { DisplacementField } from '../phantom/smooth-field.js';
import { applyVesselCalibre, type VesselCalibre } from './vessel-calibre.js';

export type Vec3 = [number, number, number];

/** Body build: scale factors about the body centre (mm), yaw about the z axis, and a shift. */
export interface Habitus {
  center: Vec3;
  /** Scale of the new patient relative to the source along x (left–right), y (front–back), z. */
  scale: Vec3;
  /** Rotation about the craniocaudal axis, radians. */
  yaw: number;
  shift: Vec3;
}

/** A smooth bulge or shrinkage around an organ: scale `factor` at its centre, fading with `sigma` mm. */
export interface OrganScaling {
  organ: string;
  center: Vec3;
  sigma: number;
  factor: number;
}

export interface CaseGeometry {
  habitus: Habitus;
  /** Largest displacement of the smooth field, mm. */
  displacementMm: number;
  organScalings: OrganScaling[];
  /** Flattened or widened vessels (vessel-calibre.ts), applied last, about source centrelines. */
  vesselCalibres?: VesselCalibre[];
}

/** Draws a patient's habitus around the source body `center`: ±12 % overall, ±8 % width vs depth. */
export function drawHabitus(rng: Random, center: Vec3): Habitus {
  const overall = rng.uniform(0.88, 1.12);
  const aspect = rng.uniform(0.92, 1.08);
  return {
    center,
    scale: [overall * aspect, overall / aspect, rng.uniform(0.9, 1.1)],
    yaw: (rng.uniform(-5, 5) * Math.PI) / 180,
    shift: [rng.uniform(-10, 10), rng.uniform(-10, 10), 0],
  };
}

/** The backward map of one case, built once and evaluated per voxel. */
export class CaseWarp {
  private readonly field: DisplacementField | undefined;
  private readonly h: Habitus;
  private readonly cos: number;
  private readonly sin: number;
  private readonly scalings: OrganScaling[];
  private readonly calibres: VesselCalibre[];
  private readonly p = new Float64Array(3);

  constructor(geometry: CaseGeometry, rng: Random) {
    this.h = geometry.habitus;
    this.cos = Math.cos(-this.h.yaw);
    this.sin = Math.sin(-this.h.yaw);
    // Wavelengths of 8–20 cm move organs as a whole and bend them, as patients differ; shorter ones
    // would crumple organs into shapes no patient has.
    this.field =
      geometry.displacementMm > 0 ? new DisplacementField(rng, geometry.displacementMm, 80, 200) : undefined;
    this.scalings = geometry.organScalings;
    this.calibres = geometry.vesselCalibres ?? [];
  }

  /** Source RAS mm of the new patient's point (x, y, z), written to `out`. */
  sourceOf(x: number, y: number, z: number, out: Float64Array): void {
    const h = this.h;
    // Undo the shift and the habitus scaling about the centre, then the yaw.
    const dx = (x - h.center[0] - h.shift[0]) / h.scale[0];
    const dy = (y - h.center[1] - h.shift[1]) / h.scale[1];
    const dz = (z - h.center[2] - h.shift[2]) / h.scale[2];
    let px = h.center[0] + this.cos * dx - this.sin * dy;
    let py = h.center[1] + this.sin * dx + this.cos * dy;
    let pz = h.center[2] + dz;
    if (this.field) {
      this.field.displace(px, py, pz, this.p);
      px = this.p[0]!;
      py = this.p[1]!;
      pz = this.p[2]!;
    }
    for (const s of this.scalings) {
      // r ↦ r·(1 − w(r)·(1 − 1/f)) is monotonic in r for 0.6 ≤ f ≤ 1.8, so the map stays one-to-one.
      const ex = px - s.center[0];
      const ey = py - s.center[1];
      const ez = pz - s.center[2];
      const w = Math.exp(-(ex * ex + ey * ey + ez * ez) / (2 * s.sigma * s.sigma));
      const k = 1 - w * (1 - 1 / s.factor);
      px = s.center[0] + ex * k;
      py = s.center[1] + ey * k;
      pz = s.center[2] + ez * k;
    }
    out[0] = px;
    out[1] = py;
    out[2] = pz;
    for (const c of this.calibres) applyVesselCalibre(c, out);
  }
}
