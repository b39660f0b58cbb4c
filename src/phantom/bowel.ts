// Unlabelled bowel: the colon's frame and small-bowel loops, with fluid and gas, so that not every
// soft-tissue structure in the cavity is a labelled organ — a segmentation model has to tell them apart.
import type { BodyModel } from './anatomy.js';
import type { Random } from './random.js';
import { type Shape, tube, type Vec3 } from './shapes.js';
import { DisplacementField, deformed } from './smooth-field.js';

/** A bowel segment: its solid, the attenuation of its wall and content, and how much gas it holds. */
export interface BowelSegment {
  shape: Shape;
  hu: number;
  /** Fraction (0–1) of the lumen filled with gas. */
  gas: number;
}

/** The colon (ascending, transverse, descending) and a few small-bowel loops for one case. */
export function buildBowel(rng: Random, body: BodyModel): BowelSegment[] {
  const inset = body.subcutaneousFat + body.wallMuscle;
  const A = body.halfWidth - inset;
  const B = body.halfDepthAnterior - inset;
  const P = body.halfDepthPosterior - inset;
  const [bx, by] = body.center;
  const z = (mmBelowDome: number) => body.dome - mmBelowDome;
  const j = (p: Vec3, sd = 6): Vec3 => [bx + p[0] + rng.normal(0, sd), by + p[1] + rng.normal(0, sd), p[2]];
  const segments: BowelSegment[] = [];
  const add = (points: Vec3[], radius: number, hu: number, gas: number) => {
    const radii = points.map(() => radius * rng.uniform(0.8, 1.2));
    segments.push({
      shape: deformed(tube(points, radii), new DisplacementField(rng.fork(), 6, 40, 100)),
      hu,
      gas,
    });
  };
  const colonGas = rng.uniform(0.2, 0.7);
  const colonHu = rng.uniform(-30, 30);
  // Ascending colon on the right flank (+x in RAS), transverse colon across the front, descending on the left.
  add(
    [j([0.72 * A, -0.1 * P, z(320)]), j([0.7 * A, 0, z(200)]), j([0.55 * A, 0.3 * B, z(140)])],
    20,
    colonHu,
    colonGas,
  );
  add(
    [
      j([0.55 * A, 0.3 * B, z(140)]),
      j([0, 0.7 * B, z(150 + rng.uniform(-20, 30))]),
      j([-0.6 * A, 0.35 * B, z(110)]),
    ],
    18,
    colonHu,
    colonGas,
  );
  add(
    [j([-0.6 * A, 0.35 * B, z(110)]), j([-0.75 * A, -0.15 * P, z(200)]), j([-0.72 * A, -0.1 * P, z(320)])],
    17,
    colonHu,
    colonGas,
  );
  // Small-bowel loops: short random walks in the lower, anterior and central cavity.
  const loops = rng.int(5, 9);
  for (let l = 0; l < loops; l++) {
    let p: Vec3 = [
      bx + rng.uniform(-0.45, 0.45) * A,
      by + rng.uniform(-0.1, 0.6) * B,
      rng.uniform(body.zMin + 10, z(140)),
    ];
    const points: Vec3[] = [p];
    for (let s = 0; s < 4; s++) {
      const step = 30;
      const theta = rng.uniform(0, 2 * Math.PI);
      p = [p[0] + step * Math.cos(theta), p[1] + 0.6 * step * Math.sin(theta), p[2] + rng.uniform(-15, 15)];
      points.push(p);
    }
    add(points, rng.uniform(9, 13), rng.uniform(10, 45), rng.chance(0.4) ? rng.uniform(0.1, 0.4) : 0);
  }
  return segments;
}
