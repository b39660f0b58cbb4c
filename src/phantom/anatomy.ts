// Where the organs lie: a body outline and one solid per organ in patient space (RAS mm, origin at the
// middle of the scanned body, +x = the patient's right, +y = anterior, +z = superior). Positions are
// fractions of the abdominal cavity's size and millimetres below the diaphragm's dome, so they follow
// each case's habitus; every organ is then jittered and bent by its own smooth displacement field.
import type { FindingsPlan } from './findings.js';
import { ORGAN_HU, type PhantomOrgan } from './organs.js';
import type { Random } from './random.js';
import { ellipsoid, type Shape, scaled, tube, union, type Vec3 } from './shapes.js';
import { DisplacementField, deformed } from './smooth-field.js';

/** The body's cross-section and skeleton for one case (mm). */
export interface BodyModel {
  /** Outer half-width (left–right) and anterior / posterior half-depths of the skin outline. */
  halfWidth: number;
  halfDepthAnterior: number;
  halfDepthPosterior: number;
  center: [number, number];
  subcutaneousFat: number;
  wallMuscle: number;
  /** Vertebral body centre (y) and radius. */
  spineY: number;
  vertebraRadius: number;
  /** Superior-inferior extent of the scan and the z of the diaphragm's dome. */
  zMin: number;
  zMax: number;
  dome: number;
  /** Rib spacing and thickness, and the z phase of the rib pattern. */
  ribPeriod: number;
  ribThickness: number;
  ribPhase: number;
  discPeriod: number;
  discPhase: number;
}

/** One organ as drawn: its solid, mean attenuation and texture strength. */
export interface OrganModel {
  organ: PhantomOrgan;
  shape: Shape;
  /** Mean HU of this case's organ. */
  hu: number;
  /** Standard deviation (HU) of the organ's smooth texture. */
  texture: number;
  center: Vec3;
  /** Enhancing vessels inside the organ (hepatic and portal veins in the liver): drawn, not labelled. */
  vessels?: { shape: Shape; hu: number };
}

/**
 * RAS: +x points to the patient's right (as in nibabel and MNI space; DICOM's LPS +x points left), so
 * the liver lies at +x and the spleen at −x. Positions below say which side they mean.
 */
const RIGHT = 1;
const LEFT = -1;

/** How an enlarged organ grows: by `factor` about the point `about`. */
interface Growth {
  factor: number;
  about: Vec3;
}

/** Draws a body at most `maxWidth` mm wide for a scan `extentZ` mm long. */
export function sampleBody(rng: Random, maxWidth: number, extentZ: number): BodyModel {
  const halfWidth = Math.min(rng.uniform(135, 190), maxWidth / 2);
  const halfDepthAnterior = halfWidth * rng.uniform(0.62, 0.8);
  const halfDepthPosterior = halfDepthAnterior * rng.uniform(0.8, 0.9);
  const vertebraRadius = rng.uniform(17, 22);
  return {
    halfWidth,
    halfDepthAnterior,
    halfDepthPosterior,
    center: [rng.normal(0, 4), rng.normal(0, 4)],
    subcutaneousFat: rng.uniform(8, 12) + (halfWidth - 135) * 0.35,
    wallMuscle: rng.uniform(8, 13),
    spineY: -halfDepthPosterior * rng.uniform(0.42, 0.5),
    vertebraRadius,
    zMin: -extentZ / 2,
    zMax: extentZ / 2,
    dome: extentZ / 2 - rng.uniform(5, 20),
    ribPeriod: rng.uniform(24, 30),
    ribThickness: rng.uniform(8, 11),
    ribPhase: rng.uniform(0, 30),
    discPeriod: rng.uniform(30, 36),
    discPhase: rng.uniform(0, 36),
  };
}

/** Builds the organ solids of a case in painting order (later organs overwrite earlier ones). */
export function buildOrgans(rng: Random, body: BodyModel, plan: FindingsPlan): OrganModel[] {
  const inset = body.subcutaneousFat + body.wallMuscle;
  const A = body.halfWidth - inset; // cavity half-width
  const B = body.halfDepthAnterior - inset; // cavity anterior half-depth
  const P = body.halfDepthPosterior - inset; // cavity posterior half-depth
  const [bx, by] = body.center;
  // Organ sizes follow habitus, within the range of adult anatomy.
  const s = Math.min(1.15, Math.max(0.85, Math.sqrt((A * (B + P)) / 2) / 100));
  const level = (mmBelowDome: number) => body.dome - mmBelowDome * s;
  const front = body.spineY + body.vertebraRadius; // the vertebral body's anterior surface
  const jitter = (p: Vec3, sd = 4): Vec3 => [
    bx + p[0] + rng.normal(0, sd),
    by + p[1] + rng.normal(0, sd),
    p[2] + rng.normal(0, sd),
  ];
  const size = (r: Vec3): Vec3 => r.map((v) => v * s * rng.uniform(0.92, 1.08)) as Vec3;
  const tilt = (a: Vec3): Vec3 => a.map((v) => v + rng.normal(0, 0.08)) as Vec3;

  const models: OrganModel[] = [];
  const add = (
    organ: PhantomOrgan,
    shape: Shape,
    center: Vec3,
    bend: number,
    texture: number,
    growth?: Growth,
  ) => {
    const field = new DisplacementField(rng.fork(), bend, 50, 150);
    const [lo, hi] = ORGAN_HU[organ];
    const hu = rng.uniform(lo, hi);
    if (plan.absent.has(organ)) return;
    let solid = deformed(shape, field);
    if (plan.enlarged.has(organ) && growth) solid = scaled(solid, growth.about, growth.factor);
    if (plan.atrophic.has(organ) && organ !== 'pancreas') solid = scaled(solid, center, 0.72);
    models.push({ organ, shape: solid, hu, texture, center });
  };

  const liverCenter = jitter([RIGHT * 0.42 * A, 0.05 * B, level(75)]);
  const liver = union(
    ellipsoid(
      liverCenter,
      size([Math.min(0.56 * A, 64), Math.min(0.55 * (B + P), 78), 66]),
      tilt([0, -0.15, 0]),
    ),
    ellipsoid(
      jitter([LEFT * 0.08 * A, 0.45 * B, level(45)]),
      size([44, Math.min(0.38 * B, 32), 38]),
      tilt([0, 0, -0.2]),
    ),
  );
  // Hepatomegaly grows the liver downwards from the dome (the scan would clip growth upwards), to a
  // craniocaudal span beyond the 17 cm a radiologist calls enlarged.
  const liverSpan = liver.bounds.max[2] - liver.bounds.min[2];
  add('liver', liver, liverCenter, 9, 6, {
    factor: Math.min(1.6, Math.max(1.2, 195 / liverSpan)),
    about: [liverCenter[0], liverCenter[1], liver.bounds.max[2]],
  });
  const spleenCenter = jitter([LEFT * 0.7 * A, -0.35 * P, level(85)]);
  const spleen = ellipsoid(spleenCenter, size([20, 45, 48]), tilt([0, 0, 0.7]));
  // Splenomegaly: beyond the 13 cm upper limit of normal length.
  const spleenLength = Math.max(...[0, 1, 2].map((a) => spleen.bounds.max[a]! - spleen.bounds.min[a]!));
  add('spleen', spleen, spleenCenter, 6, 5, {
    factor: Math.min(1.8, Math.max(1.35, 165 / spleenLength)),
    about: spleenCenter,
  });
  const stomachCenter = jitter([LEFT * 0.35 * A, 0.3 * B, level(70)]);
  add(
    'stomach',
    union(
      ellipsoid(stomachCenter, size([0.28 * A, 0.35 * B, 52]), tilt([0.3, 0, 0.3])),
      tube(
        [
          [stomachCenter[0] + RIGHT * 0.05 * A, stomachCenter[1] + 0.1 * B, level(105)],
          jitter([LEFT * 0.05 * A, 0.55 * B, level(125)]),
          jitter([RIGHT * 0.15 * A, 0.5 * B, level(130)]),
        ],
        [20 * s, 15 * s, 11 * s],
      ),
    ),
    stomachCenter,
    6,
    8,
  );
  const pancreasRadius = plan.atrophic.has('pancreas') ? 0.6 : 1;
  const pancreasCenter = jitter([LEFT * 0.1 * A, front + 34, level(122)]);
  add(
    'pancreas',
    tube(
      [
        jitter([RIGHT * 0.14 * A, front + 30, level(140)]),
        [pancreasCenter[0] + RIGHT * 0.1 * A, pancreasCenter[1] + 4, pancreasCenter[2]],
        [pancreasCenter[0] + LEFT * 0.18 * A, pancreasCenter[1] - 2, pancreasCenter[2] + 10],
        jitter([LEFT * 0.55 * A, front + 8, level(100)]),
      ],
      [17, 13, 12, 10].map((r) => r * s * pancreasRadius),
    ),
    pancreasCenter,
    4,
    7,
  );
  const gallbladderCenter = jitter([RIGHT * 0.28 * A, 0.45 * B, level(125)]);
  add(
    'gallbladder',
    ellipsoid(gallbladderCenter, size([14, 16, 34]), tilt([0.5, -0.2, -0.3])),
    gallbladderCenter,
    4,
    2,
  );
  for (const side of [RIGHT, LEFT] as const) {
    const organ: PhantomOrgan = side === RIGHT ? 'right kidney' : 'left kidney';
    // The right kidney sits lower, pushed down by the liver.
    const center = jitter([
      side * (body.vertebraRadius + 0.35 * A),
      body.spineY + 8,
      level(side === RIGHT ? 175 : 160),
    ]);
    add(organ, ellipsoid(center, size([26, 22, 55]), tilt([0, side * 0.2, side * -0.5])), center, 5, 6);
  }
  const rightAdrenal = jitter([RIGHT * 0.25 * A, front + 4, level(95)], 3);
  add(
    'right adrenal gland',
    ellipsoid(rightAdrenal, size([6, 13, 17]), tilt([0, 0, 0.5])),
    rightAdrenal,
    2,
    3,
  );
  const leftAdrenal = jitter([LEFT * 0.27 * A, front, level(105)], 3);
  add('left adrenal gland', ellipsoid(leftAdrenal, size([6, 13, 15]), tilt([0, 0, -0.5])), leftAdrenal, 2, 3);
  const esophagusTop: Vec3 = [bx + RIGHT * 4, front + 30, body.zMax + 10];
  add(
    'esophagus',
    tube(
      [
        esophagusTop,
        jitter([10, front + 32, level(15)], 2),
        [stomachCenter[0] + RIGHT * 0.1 * A, stomachCenter[1], level(45)],
      ],
      [8, 8.5, 9.5],
    ),
    esophagusTop,
    2,
    4,
  );
  const confluence = jitter([LEFT * 0.02 * A, front + 26, level(125)], 3);
  add(
    'portal and splenic vein',
    tube(
      [
        jitter([RIGHT * 0.28 * A, front + 45, level(90)], 3),
        jitter([RIGHT * 0.14 * A, front + 38, level(108)], 3),
        confluence,
        jitter([LEFT * 0.3 * A, front + 18, level(112)], 3),
        [spleenCenter[0] + RIGHT * 18, spleenCenter[1] + 12, spleenCenter[2] - 8],
      ],
      [7.5, 7.5, 7, 6, 5.5],
    ),
    confluence,
    3,
    3,
  );
  const ivcX = bx + RIGHT * (body.vertebraRadius + 6);
  add(
    'inferior vena cava',
    tube(
      [
        [ivcX + RIGHT * 5, front + 30, body.zMax + 10],
        [ivcX, front + 16, level(80)],
        [ivcX, front + 12, body.zMin - 10],
      ],
      [13, 11.5, 11],
    ),
    [ivcX, front + 14, 0],
    3,
    3,
  );
  const aortaX = bx + LEFT * 10;
  add(
    'aorta',
    tube(
      [
        [aortaX + LEFT * 6, front + 12, body.zMax + 10],
        [aortaX, front + 10, level(90)],
        [aortaX + LEFT * 3, front + 12, body.zMin - 10],
      ],
      [12, 11, 9].map((r) => r * rng.uniform(0.95, 1.1)),
    ),
    [aortaX, front + 10, 0],
    3,
    2,
  );
  // Intrahepatic veins: three hepatic veins fanning out from the IVC under the dome, and the right and
  // left portal branches from the hilum. BTCV labels them liver; on the image they are bright lines.
  const liverModel = models.find((m) => m.organ === 'liver');
  if (liverModel) {
    const confluenceIvc: Vec3 = [ivcX, front + 24, level(18)];
    const hilum: Vec3 = [bx + RIGHT * 0.28 * A, front + 45, level(90)];
    const [lx, ly, lz] = liverCenter;
    const veins = [
      tube([confluenceIvc, [lx + RIGHT * 0.35 * A, ly - 15, lz + 5]], [5, 2]),
      tube([confluenceIvc, [lx + LEFT * 0.15 * A, ly + 30, lz]], [4.5, 2]),
      tube([confluenceIvc, [bx + LEFT * 0.12 * A, 0.4 * B, level(40)]], [4, 2]),
      tube(
        [hilum, [lx + RIGHT * 0.2 * A, ly, lz - 20], [lx + RIGHT * 0.4 * A, ly + 10, lz - 35]],
        [5, 3.5, 2],
      ),
      tube([hilum, [bx + LEFT * 0.02 * A, 0.3 * B, level(65)]], [4.5, 2]),
    ];
    liverModel.vessels = {
      shape: deformed(union(...veins), new DisplacementField(rng.fork(), 4, 40, 100)),
      hu: rng.uniform(140, 180),
    };
  }
  return models;
}
