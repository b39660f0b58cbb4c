// The synthetic abdomen: a seeded, CT-like volume with its BTCV label map and the list of what was
// varied. Everything is a pure function of the options, so a seed names a case.
import type { Matrix4, Volume } from '../volume/volume.js';
import { type BodyModel, buildOrgans, type OrganModel, sampleBody } from './anatomy.js';
import { type BodyTissue, bodyTissue } from './body.js';
import { type BowelSegment, buildBowel } from './bowel.js';
import {
  type FindingsPlan,
  type ForcedFindings,
  type PhantomFindings,
  type PhantomLesion,
  PROCEDURES,
  planFindings,
} from './findings.js';
import { BTCV_LABELS, PHANTOM_ORGANS, type PhantomOrgan } from './organs.js';
import { Random } from './random.js';
import { LatticeNoise } from './smooth-field.js';

export interface PhantomOptions {
  seed: number;
  /** Matrix [nx, ny, nz]; default [96, 96, 48], small enough to train on CPU. */
  size?: [number, number, number];
  /** Storage orientation of the voxel axes: 'RAS' (default) or 'LPS' (DICOM-like, x and y flipped). */
  orientation?: 'RAS' | 'LPS';
  /** Scales the probability of every clinical variation; 0 = normal anatomy only, default 1. */
  variation?: number;
  /** Variations to apply regardless of chance. */
  findings?: ForcedFindings;
}

/** How the synthetic scan was "acquired". */
export interface PhantomAcquisition {
  /** The native scan this case stands for: 512² in-plane at 0.7–1.0 mm, 2.5–5 mm slices. */
  nativeSpacing: [number, number, number];
  /** In-plane field of view and scanned length (mm); the small matrix spans the same extent. */
  fieldOfViewMm: number;
  lengthMm: number;
  noiseHu: number;
}

export interface Phantom {
  /** CT-like image in Hounsfield units. */
  image: Volume<Int16Array>;
  /** BTCV label map on the same grid (1 spleen … 13 left adrenal gland). */
  label: Volume<Uint8Array>;
  findings: PhantomFindings;
  acquisition: PhantomAcquisition;
}

const DEFAULT_SIZE: [number, number, number] = [96, 96, 48];
const HU_MIN = -1024;
const HU_MAX = 3071;

/** Generates one case. `generatePhantom({ seed: 7 })` is the same volume on every run and machine. */
export function generatePhantom(options: PhantomOptions): Phantom {
  const size = options.size ?? DEFAULT_SIZE;
  if (size.length !== 3 || size.some((n) => !Number.isInteger(n) || n < 8)) {
    throw new Error(`phantom: size must be three integers ≥ 8, got ${JSON.stringify(size)}`);
  }
  const rng = new Random(options.seed);
  // Independent streams, so that e.g. a forced finding does not change the body or the noise.
  const [acquisitionRng, bodyRng, findingsRng, organRng, lesionRng, textureRng, noiseRng, bowelRng] =
    Array.from({ length: 8 }, () => rng.fork()) as [
      Random,
      Random,
      Random,
      Random,
      Random,
      Random,
      Random,
      Random,
    ];

  const lengthMm = acquisitionRng.uniform(235, 270);
  const body = sampleBody(bodyRng, 0.92 * 512, lengthMm);
  // As at the scanner, the field of view is fitted to the patient: 512 pixels of 0.7–1.0 mm.
  const fov = Math.min(512, Math.max(0.7 * 512, 2 * body.halfWidth * acquisitionRng.uniform(1.08, 1.25)));
  const acquisition: PhantomAcquisition = {
    nativeSpacing: [fov / 512, fov / 512, acquisitionRng.pick([2.5, 3, 4, 5])],
    fieldOfViewMm: fov,
    lengthMm,
    noiseHu: acquisitionRng.uniform(8, 18),
  };
  const plan = planFindings(findingsRng, options.variation ?? 1, options.findings);
  const organs = buildOrgans(organRng, body, plan);

  const [nx, ny, nz] = size;
  const spacing: [number, number, number] = [
    acquisition.fieldOfViewMm / nx,
    acquisition.fieldOfViewMm / ny,
    acquisition.lengthMm / nz,
  ];
  const affine = gridAffine(size, spacing, options.orientation ?? 'RAS');
  const axes = [0, 1, 2].map((a) =>
    Float64Array.from({ length: size[a]! }, (_, i) => affine[a]![a]! * i + affine[a]![3]!),
  ) as [Float64Array, Float64Array, Float64Array];

  const n = nx * ny * nz;
  const hu = new Float32Array(n);
  const label = new Uint8Array(n);
  const cavity = paintBody(body, axes, hu);
  paintBowel(buildBowel(bowelRng, body), axes, affine, cavity, hu, new LatticeNoise(bowelRng, 7));
  const painted = paintOrgans(organs, axes, affine, cavity, label);
  addTexture(organs, axes, label, hu, textureRng, painted);
  const lesions = placeLesions(plan, axes, label, hu, lesionRng);
  pointSpread(hu, size);
  const image = new Int16Array(n);
  for (let v = 0; v < n; v++) {
    const value = Math.round(hu[v]! + noiseRng.normal(0, acquisition.noiseHu));
    image[v] = Math.min(Math.max(value, HU_MIN), HU_MAX);
  }

  const present = new Set(organs.map((o) => o.organ));
  const findings: PhantomFindings = {
    absent: PHANTOM_ORGANS.filter((o) => plan.absent.has(o)),
    enlarged: PHANTOM_ORGANS.filter((o) => plan.enlarged.has(o) && present.has(o)),
    atrophic: PHANTOM_ORGANS.filter((o) => plan.atrophic.has(o) && present.has(o)),
    lesions,
    procedures: PHANTOM_ORGANS.filter((o) => plan.absent.has(o)).map((o) => PROCEDURES[o]!),
  };
  const source = { format: 'synthetic', header: { generator: 'mosmos phantom', seed: options.seed } };
  return {
    image: { data: image, dims: [...size], spacing, affine, datatype: 'int16', source },
    label: {
      data: label,
      dims: [...size],
      spacing: [...spacing],
      affine: affine.map((r) => [...r]),
      datatype: 'uint8',
      source,
    },
    findings,
    acquisition,
  };
}

/** Voxel → RAS affine of a grid centred on the origin, stored RAS or LPS. */
function gridAffine(size: number[], spacing: number[], orientation: 'RAS' | 'LPS'): Matrix4 {
  const sign = orientation === 'LPS' ? [-1, -1, 1] : [1, 1, 1];
  const rows: Matrix4 = [0, 1, 2].map((a) => {
    const row = [0, 0, 0, 0];
    row[a] = sign[a]! * spacing[a]!;
    row[3] = -sign[a]! * spacing[a]! * ((size[a]! - 1) / 2);
    return row;
  });
  rows.push([0, 0, 0, 1]);
  return rows;
}

/** Fills `hu` with the body's tissues; returns the mask of voxels in the abdominal cavity. */
function paintBody(body: BodyModel, axes: Float64Array[], hu: Float32Array): Uint8Array {
  const [xs, ys, zs] = axes as [Float64Array, Float64Array, Float64Array];
  const cavity = new Uint8Array(hu.length);
  const tissue: BodyTissue = { hu: 0, cavity: false, inside: false };
  let v = 0;
  for (let k = 0; k < zs.length; k++) {
    for (let j = 0; j < ys.length; j++) {
      for (let i = 0; i < xs.length; i++, v++) {
        bodyTissue(body, xs[i]!, ys[j]!, zs[k]!, tissue);
        hu[v] = tissue.hu;
        cavity[v] = tissue.cavity ? 1 : 0;
      }
    }
  }
  return cavity;
}

/** Paints bowel into the cavity's fat (organs are painted over it later); gas where the noise is high. */
function paintBowel(
  segments: BowelSegment[],
  axes: Float64Array[],
  affine: Matrix4,
  cavity: Uint8Array,
  hu: Float32Array,
  noise: LatticeNoise,
): void {
  const [xs, ys, zs] = axes as [Float64Array, Float64Array, Float64Array];
  const [nx, ny, nz] = [xs.length, ys.length, zs.length];
  for (const segment of segments) {
    const { min, max } = segment.shape.bounds;
    const [i0, i1] = indexRange(affine, 0, min[0], max[0], nx);
    const [j0, j1] = indexRange(affine, 1, min[1], max[1], ny);
    const [k0, k1] = indexRange(affine, 2, min[2], max[2], nz);
    // The unit normal's quantile at which a `gas` fraction of the lumen lies above it (linear fit).
    const threshold = 1.2 - 2.4 * segment.gas;
    for (let k = k0; k <= k1; k++) {
      for (let j = j0; j <= j1; j++) {
        for (let i = i0; i <= i1; i++) {
          const v = (k * ny + j) * nx + i;
          if (!cavity[v] || !segment.shape.contains(xs[i]!, ys[j]!, zs[k]!)) continue;
          hu[v] = segment.gas > 0 && noise.at(xs[i]!, ys[j]!, zs[k]!) > threshold ? -900 : segment.hu;
        }
      }
    }
  }
}

/** Index range along axis `a` covering RAS interval [lo, hi] on a diagonal affine. */
function indexRange(affine: Matrix4, a: number, lo: number, hi: number, n: number): [number, number] {
  const s = affine[a]![a]!;
  const o = affine[a]![3]!;
  const i0 = (lo - o) / s;
  const i1 = (hi - o) / s;
  return [Math.max(0, Math.floor(Math.min(i0, i1))), Math.min(n - 1, Math.ceil(Math.max(i0, i1)))];
}

/** Rasterises the organs into `label` in painting order, inside the cavity only; returns voxel counts. */
function paintOrgans(
  organs: OrganModel[],
  axes: Float64Array[],
  affine: Matrix4,
  cavity: Uint8Array,
  label: Uint8Array,
): Map<PhantomOrgan, number> {
  const [xs, ys, zs] = axes as [Float64Array, Float64Array, Float64Array];
  const [nx, ny, nz] = [xs.length, ys.length, zs.length];
  for (const model of organs) {
    const value = BTCV_LABELS[model.organ];
    const { min, max } = model.shape.bounds;
    const [i0, i1] = indexRange(affine, 0, min[0], max[0], nx);
    const [j0, j1] = indexRange(affine, 1, min[1], max[1], ny);
    const [k0, k1] = indexRange(affine, 2, min[2], max[2], nz);
    for (let k = k0; k <= k1; k++) {
      for (let j = j0; j <= j1; j++) {
        for (let i = i0; i <= i1; i++) {
          const v = (k * ny + j) * nx + i;
          if (cavity[v] && model.shape.contains(xs[i]!, ys[j]!, zs[k]!)) label[v] = value;
        }
      }
    }
  }
  const counts = new Map<PhantomOrgan, number>();
  const byLabel = new Map(organs.map((o) => [BTCV_LABELS[o.organ], o.organ]));
  for (let v = 0; v < label.length; v++) {
    const organ = byLabel.get(label[v]!);
    if (organ) counts.set(organ, (counts.get(organ) ?? 0) + 1);
  }
  return counts;
}

/** Sets organ voxels to the organ's attenuation with smooth texture; gas rises in the stomach. */
function addTexture(
  organs: OrganModel[],
  axes: Float64Array[],
  label: Uint8Array,
  hu: Float32Array,
  rng: Random,
  painted: Map<PhantomOrgan, number>,
): void {
  const coarse = new LatticeNoise(rng, 18);
  const fine = new LatticeNoise(rng, 6);
  const byLabel: (OrganModel | undefined)[] = [];
  for (const o of organs) byLabel[BTCV_LABELS[o.organ]] = o;
  // Gas in the stomach's non-dependent (anterior, the patient lying supine) part, in most cases.
  const stomach = BTCV_LABELS.stomach;
  let gasLevel = Infinity;
  if ((painted.get('stomach') ?? 0) > 0 && rng.chance(0.7)) {
    let top = -Infinity;
    forEachVoxel(axes, (v, _x, y) => {
      if (label[v] === stomach && y > top) top = y;
    });
    gasLevel = top - rng.uniform(6, 14);
  }
  forEachVoxel(axes, (v, x, y, z) => {
    const model = byLabel[label[v]!];
    if (!model) return;
    const texture = model.texture * (0.8 * coarse.at(x, y, z) + 0.6 * fine.at(x, y, z));
    if (label[v] === stomach && y > gasLevel) hu[v] = -950 + texture;
    else if (model.vessels?.shape.contains(x, y, z)) hu[v] = model.vessels.hu + 0.5 * texture;
    else hu[v] = model.hu + texture;
  });
}

function forEachVoxel(
  axes: Float64Array[],
  visit: (v: number, x: number, y: number, z: number) => void,
): void {
  const [xs, ys, zs] = axes as [Float64Array, Float64Array, Float64Array];
  let v = 0;
  for (let k = 0; k < zs.length; k++) {
    for (let j = 0; j < ys.length; j++) {
      for (let i = 0; i < xs.length; i++, v++) visit(v, xs[i]!, ys[j]!, zs[k]!);
    }
  }
}

/** Hypodense liver lesions and renal cysts: spheres inside their organ, keeping the organ's label. */
function placeLesions(
  plan: FindingsPlan,
  axes: Float64Array[],
  label: Uint8Array,
  hu: Float32Array,
  rng: Random,
): PhantomLesion[] {
  const [xs, ys, zs] = axes as [Float64Array, Float64Array, Float64Array];
  const [nx, ny] = [xs.length, ys.length];
  const voxel = Math.max(Math.abs(xs[1]! - xs[0]!), Math.abs(ys[1]! - ys[0]!), Math.abs(zs[1]! - zs[0]!));
  const lesions: PhantomLesion[] = [];
  const place = (organs: PhantomOrgan[], count: number, kind: PhantomLesion['kind']) => {
    const candidates = organs.filter((o) => label.includes(BTCV_LABELS[o]));
    for (let c = 0; c < count && candidates.length > 0; c++) {
      const organ = rng.pick(candidates);
      const value = BTCV_LABELS[organ];
      const voxels: number[] = [];
      for (let v = 0; v < label.length; v++) if (label[v] === value) voxels.push(v);
      const centre = rng.pick(voxels);
      const [i, j, k] = [centre % nx, Math.floor(centre / nx) % ny, Math.floor(centre / (nx * ny))];
      // At least 3 voxels across (in the coarsest direction), so every lesion is visible on the small matrix.
      const radiusMm = Math.max(1.5 * voxel, kind === 'cyst' ? rng.uniform(5, 12) : rng.uniform(5, 15));
      const lesionHu = kind === 'cyst' ? rng.uniform(0, 15) : rng.uniform(15, 50);
      const center: [number, number, number] = [xs[i]!, ys[j]!, zs[k]!];
      forEachVoxel(axes, (v, x, y, z) => {
        if (label[v] !== value) return;
        if ((x - center[0]) ** 2 + (y - center[1]) ** 2 + (z - center[2]) ** 2 <= radiusMm ** 2)
          hu[v] = lesionHu;
      });
      lesions.push({ organ, kind, center, radiusMm, hu: lesionHu });
    }
  };
  place(['liver'], plan.liverLesions, 'hypodense lesion');
  place(['right kidney', 'left kidney'], plan.renalCysts, 'cyst');
  return lesions;
}

/** In-place [1 4 1]/6 blur along each axis: the scanner's point spread and partial volume. */
function pointSpread(data: Float32Array, size: number[]): void {
  const [nx, ny, nz] = size as [number, number, number];
  const strides = [1, nx, nx * ny];
  const line = new Float32Array(Math.max(nx, ny, nz));
  for (let axis = 0; axis < 3; axis++) {
    const n = size[axis]!;
    const stride = strides[axis]!;
    const others = data.length / n;
    for (let o = 0; o < others; o++) {
      // Start of the o-th line along `axis`.
      const start = axis === 0 ? o * nx : axis === 1 ? (o % nx) + Math.floor(o / nx) * nx * ny : o;
      for (let t = 0; t < n; t++) line[t] = data[start + t * stride]!;
      for (let t = 0; t < n; t++) {
        const prev = line[t > 0 ? t - 1 : t]!;
        const next = line[t < n - 1 ? t + 1 : t]!;
        data[start + t * stride] = (prev + 4 * line[t]! + next) / 6;
      }
    }
  }
}
