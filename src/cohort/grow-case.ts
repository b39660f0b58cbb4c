// One new patient grown from a real labelled CT: findings drawn and painted in the source's own space
// (resections refilled from the same scan, lesions), the contrast phase applied organ by organ, then
// the scan resampled through the case's anatomy (habitus, smooth deformation, organ scalings) onto
// its own acquisition grid, blurred and made noisy. A pure function of the source and the seed.
import {
  type FindingsPlan,
  type ForcedFindings,
  type PhantomFindings,
  type PhantomLesion,
  PROCEDURES,
  planFindings,
} from '../phantom/findings.js';
import type { PhantomOrgan } from '../phantom/organs.js';
import { Random } from '../phantom/random.js';
import { invertAffine } from '../volume/matrix.js';
import type { Volume } from '../volume/volume.js';
import {
  type Acquisition,
  type AcquisitionRanges,
  defaultAcquisitionRanges,
  drawAcquisition,
  gaussianAlongAxis,
} from './acquisition.js';
import { applyPhaseShifts, type ContrastPhase, phaseShifts } from './contrast-phase.js';
import { type CaseGeometry, CaseWarp, drawHabitus, type OrganScaling, type Vec3 } from './deformation.js';
import { sourceValuesOf } from './label-scheme.js';
import { paintLesions } from './lesions.js';
import { resectOrgan } from './resection.js';
import type { OrganExtent, SourceScan } from './source-scan.js';
import {
  drawStomachFilling,
  fillStomach,
  STOMACH_DISTENSION,
  type StomachContents,
} from './stomach-contents.js';
import { drawVesselCalibre } from './vessel-calibre.js';

export interface GrowOptions {
  seed: number;
  /** Scales every finding's probability (0 = normal anatomy), as the phantom's `variation`. */
  variation?: number;
  findings?: ForcedFindings;
  /** Force a contrast phase instead of drawing one. */
  phase?: ContrastPhase;
  acquisition?: Partial<AcquisitionRanges>;
  /** Largest smooth displacement, mm (default drawn from 4–12). */
  displacementMm?: number;
}

export interface GrownCase {
  image: Volume<Int16Array>;
  label: Volume<Uint8Array>;
  findings: PhantomFindings;
  phase: ContrastPhase;
  stomach: StomachContents;
  acquisition: Omit<Acquisition, 'affine'>;
  geometry: CaseGeometry;
}

/** Relative phase frequencies: most abdominal CTs are portal venous (as BTCV's are). */
const PHASE_WEIGHTS: Record<ContrastPhase, number> = {
  'non-contrast': 0.25,
  arterial: 0.2,
  'portal-venous': 0.55,
};

const SCALE_RANGES: Partial<Record<PhantomOrgan, [number, number]>> = {
  liver: [1.15, 1.3],
  spleen: [1.3, 1.6],
  'right kidney': [0.7, 0.82],
  'left kidney': [0.7, 0.82],
  pancreas: [0.65, 0.8],
};

/**
 * Healthy organs differ in size between people (spleen volume varies about twofold among normal
 * adults, liver and kidneys by ±20–30 %): every case scales each of these organs radially by a factor
 * drawn from its range, unreported — the report measures the organ from the label map, so a large
 * normal spleen is still described by its size. Pathological scalings (`SCALE_RANGES`) replace these.
 */
const NORMAL_SIZE_RANGES: Partial<Record<PhantomOrgan, [number, number]>> = {
  liver: [0.9, 1.12],
  spleen: [0.85, 1.3],
  'right kidney': [0.9, 1.1],
  'left kidney': [0.9, 1.1],
  pancreas: [0.85, 1.2],
};

const BOWEL = /bowel|colon|duoden|rectum|intestin/;

/** Grows one case from `source` (see the file comment). */
export function growCase(source: SourceScan, options: GrowOptions): GrownCase {
  const rng = new Random(options.seed);
  const draws = {
    findings: rng.fork(),
    phase: rng.fork(),
    geometry: rng.fork(),
    acquisition: rng.fork(),
    noise: rng.fork(),
    stomach: rng.fork(),
    size: rng.fork(),
    vessels: rng.fork(),
  };
  const plan = presentOnly(planFindings(draws.findings, options.variation ?? 1, options.findings), source);
  const image = source.image.slice();
  const labels = source.labels.slice();
  const target = { image, labels, dims: source.dims };
  const valuesOf = (organ: string) => sourceValuesOf(source.mapping, organ);

  const donorValues = Object.entries(source.names)
    .filter(([, name]) => BOWEL.test(name.toLowerCase().replace(/_/g, ' ')))
    .map(([value]) => Number(value));
  for (const organ of plan.absent) {
    resectOrgan({ ...target, organValues: valuesOf(organ), donorValues }, draws.findings);
  }

  const phase = options.phase ?? draws.phase.weighted(PHASE_WEIGHTS);
  const shifts = phaseShifts(phase, source.phase, source.medians, source.names, draws.phase);
  applyPhaseShifts(image, labels, source.dims, shifts);

  const lesions: PhantomLesion[] = [];
  const lesionTarget = { ...target, spacing: source.spacing, affine: source.affine };
  if (plan.liverLesions > 0)
    lesions.push(
      ...paintLesions(
        lesionTarget,
        'liver',
        valuesOf('liver'),
        'hypodense lesion',
        plan.liverLesions,
        draws.findings,
      ),
    );
  const kidneys = (['right kidney', 'left kidney'] as const).filter(
    (k) => !plan.absent.has(k) && source.organs.has(k),
  );
  for (let c = 0; c < plan.renalCysts && kidneys.length > 0; c++) {
    const kidney = draws.findings.pick(kidneys);
    // The kidney's own cyst labels are left out: a new cyst goes into parenchyma.
    const parenchyma = valuesOf(kidney).filter((v) => !/cyst/.test(source.names[v] ?? ''));
    lesions.push(...paintLesions(lesionTarget, kidney, parenchyma, 'cyst', 1, draws.findings));
  }

  // After the phase shift: gas, water and oral contrast do not enhance.
  const stomach = fillStomach(
    lesionTarget,
    plan.absent.has('stomach') ? [] : valuesOf('stomach'),
    drawStomachFilling(draws.stomach),
    draws.stomach,
  );

  const organScalings: OrganScaling[] = [];
  const stomachExtent = source.organs.get('stomach');
  if (stomach.voxels > 0 && stomachExtent)
    organScalings.push(scalingAbout('stomach', stomachExtent, draws.stomach.uniform(...STOMACH_DISTENSION)));
  for (const [organ, [lo, hi]] of Object.entries(NORMAL_SIZE_RANGES) as [PhantomOrgan, [number, number]][]) {
    const extent = source.organs.get(organ);
    if (!extent || plan.enlarged.has(organ) || plan.atrophic.has(organ) || plan.absent.has(organ)) continue;
    organScalings.push(scalingAbout(organ, extent, draws.size.uniform(lo, hi)));
  }
  for (const organ of [...plan.enlarged, ...plan.atrophic]) {
    const extent = source.organs.get(organ)!;
    const [lo, hi] = SCALE_RANGES[organ] ?? [1, 1];
    organScalings.push(scalingAbout(organ, extent, draws.geometry.uniform(lo, hi)));
  }
  const bodyCenter: Vec3 = [0, 1, 2].map((a) => (source.body.min[a]! + source.body.max[a]!) / 2) as Vec3;
  const geometry: CaseGeometry = {
    habitus: drawHabitus(draws.geometry, bodyCenter),
    displacementMm: options.displacementMm ?? draws.geometry.uniform(4, 12),
    organScalings,
    vesselCalibres: [...source.centrelines].map(([vessel, line]) =>
      drawVesselCalibre(vessel, line, draws.vessels),
    ),
  };
  const warp = new CaseWarp(geometry, draws.geometry);
  const ranges = { ...defaultAcquisitionRanges, ...options.acquisition };
  const acquisition = drawAcquisition(
    draws.acquisition,
    ranges,
    forwardBox(source.body, geometry),
    abdomenRange(source, geometry),
    source.spacing[2],
  );
  const { image: outImage, label } = resampleCase(source, image, labels, warp, acquisition, draws.noise);

  const findings: PhantomFindings = {
    absent: [...plan.absent],
    enlarged: [...plan.enlarged],
    atrophic: [...plan.atrophic],
    lesions,
    procedures: [...plan.absent].map((organ) => PROCEDURES[organ]!),
  };
  const { affine: _affine, ...acquired } = acquisition;
  return { image: outImage, label, findings, phase, stomach, acquisition: acquired, geometry };
}

/** A radial scaling by `factor` centred on the organ, fading over 1.3 × its equivalent radius. */
function scalingAbout(organ: string, extent: OrganExtent, factor: number): OrganScaling {
  return { organ, center: extent.center, sigma: 1.3 * extent.radiusMm, factor };
}

/** Drops findings on organs the source does not show (they cannot be resected or rescaled). */
function presentOnly(plan: FindingsPlan, source: SourceScan): FindingsPlan {
  const has = (organ: PhantomOrgan) => source.organs.has(organ);
  return {
    absent: new Set([...plan.absent].filter(has)),
    enlarged: new Set([...plan.enlarged].filter(has)),
    atrophic: new Set([...plan.atrophic].filter(has)),
    liverLesions: has('liver') ? plan.liverLesions : 0,
    renalCysts: plan.renalCysts,
  };
}

/** Where the habitus takes a source point (forward; the displacement is small and ignored here). */
function forward(p: Vec3, geometry: CaseGeometry): Vec3 {
  const h = geometry.habitus;
  return [0, 1, 2].map((a) => h.center[a]! + h.scale[a]! * (p[a]! - h.center[a]!) + h.shift[a]!) as Vec3;
}

function forwardBox(box: { min: Vec3; max: Vec3 }, geometry: CaseGeometry): { min: Vec3; max: Vec3 } {
  const a = forward(box.min, geometry);
  const b = forward(box.max, geometry);
  return {
    min: [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2])],
    max: [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.max(a[2], b[2])],
  };
}

/** The z-range (new patient's mm) spanned by the abdominal organs, where every scan is centred. */
function abdomenRange(source: SourceScan, geometry: CaseGeometry): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const organ of ['liver', 'spleen', 'right kidney', 'left kidney', 'stomach', 'pancreas']) {
    const extent = source.organs.get(organ);
    if (!extent) continue;
    lo = Math.min(lo, extent.zRange[0]);
    hi = Math.max(hi, extent.zRange[1]);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [source.body.min[2], source.body.max[2]];
  const c = geometry.habitus.center[2];
  const s = geometry.habitus.scale[2];
  return [c + s * (lo - c), c + s * (hi - c)];
}

/**
 * Samples the edited source through the warp onto the acquisition grid (trilinear image, nearest
 * label mapped to the target scheme), then blurs and adds noise.
 */
function resampleCase(
  source: SourceScan,
  image: Float32Array,
  labels: Uint16Array,
  warp: CaseWarp,
  acquisition: Acquisition,
  rng: Random,
): { image: Volume<Int16Array>; label: Volume<Uint8Array> } {
  const [nx, ny, nz] = acquisition.dims;
  const [sx, sy, sz] = source.dims;
  const toVoxel = invertAffine(source.affine);
  const lookup = source.mapping.lookup;
  const out = new Float32Array(nx * ny * nz);
  const outLabels = new Uint8Array(nx * ny * nz);
  const sxy = sx * sy;
  const lattice = sourceLattice(warp, acquisition, toVoxel);
  const { step, size } = lattice;
  let o = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        // The warp is smooth over centimetres: interpolate it from a lattice a few mm apart.
        const gi = i / step[0]!;
        const gj = j / step[1]!;
        const gk = k / step[2]!;
        const i0 = Math.min(Math.floor(gi), size[0]! - 2);
        const j0 = Math.min(Math.floor(gj), size[1]! - 2);
        const k0 = Math.min(Math.floor(gk), size[2]! - 2);
        const u = lattice.sample(0, i0, j0, k0, gi - i0, gj - j0, gk - k0);
        const v = lattice.sample(1, i0, j0, k0, gi - i0, gj - j0, gk - k0);
        const w = lattice.sample(2, i0, j0, k0, gi - i0, gj - j0, gk - k0);
        if (u < -0.5 || v < -0.5 || w < -0.5 || u > sx - 0.5 || v > sy - 0.5 || w > sz - 0.5) {
          out[o] = -1024;
          continue;
        }
        const iu = Math.min(Math.max(Math.round(u), 0), sx - 1);
        const iv = Math.min(Math.max(Math.round(v), 0), sy - 1);
        const iw = Math.min(Math.max(Math.round(w), 0), sz - 1);
        const l = labels[iu + sx * iv + sxy * iw]!;
        outLabels[o] = l < lookup.length ? lookup[l]! : 0;
        const cu = Math.min(Math.max(u, 0), sx - 1);
        const cv = Math.min(Math.max(v, 0), sy - 1);
        const cw = Math.min(Math.max(w, 0), sz - 1);
        const u0 = Math.min(Math.floor(cu), Math.max(sx - 2, 0));
        const v0 = Math.min(Math.floor(cv), Math.max(sy - 2, 0));
        const w0 = Math.min(Math.floor(cw), Math.max(sz - 2, 0));
        const fu = sx > 1 ? cu - u0 : 0;
        const fv = sy > 1 ? cv - v0 : 0;
        const fw = sz > 1 ? cw - w0 : 0;
        const du = sx > 1 ? 1 : 0;
        const dv = sy > 1 ? sx : 0;
        const dw = sz > 1 ? sxy : 0;
        const b = u0 + sx * v0 + sxy * w0;
        const c00 = image[b]! * (1 - fu) + image[b + du]! * fu;
        const c10 = image[b + dv]! * (1 - fu) + image[b + dv + du]! * fu;
        const c01 = image[b + dw]! * (1 - fu) + image[b + dw + du]! * fu;
        const c11 = image[b + dw + dv]! * (1 - fu) + image[b + dw + dv + du]! * fu;
        out[o] = (c00 * (1 - fv) + c10 * fv) * (1 - fw) + (c01 * (1 - fv) + c11 * fv) * fw;
      }
  const dims: [number, number, number] = [nx, ny, nz];
  const sigmaXY = acquisition.blurMm / acquisition.spacing[0];
  gaussianAlongAxis(out, dims, 0, sigmaXY);
  gaussianAlongAxis(out, dims, 1, sigmaXY);
  gaussianAlongAxis(out, dims, 2, acquisition.sliceBlurMm / acquisition.spacing[2]);
  const data = new Int16Array(out.length);
  for (let i = 0; i < out.length; i++) {
    // Air outside the body stays air: the scanner's noise is on the patient, not on the padding.
    const noisy = out[i]! > -1020 ? out[i]! + rng.normal(0, acquisition.noiseHu) : out[i]!;
    data[i] = Math.round(Math.min(3071, Math.max(-1024, noisy)));
  }
  const affine = acquisition.affine.map((r) => [...r]);
  const spacing: [number, number, number] = [...acquisition.spacing];
  return {
    image: { data, dims: [...dims], spacing, affine, datatype: 'int16' },
    label: {
      data: outLabels,
      dims: [...dims],
      spacing,
      affine: affine.map((r) => [...r]),
      datatype: 'uint8',
    },
  };
}

/** Source voxel coordinates of the warp on a coarse lattice over the acquisition grid (≈ 6 mm apart). */
function sourceLattice(warp: CaseWarp, acquisition: Acquisition, toVoxel: number[][]) {
  const a = acquisition.affine;
  const step = [0, 1, 2].map((axis) => Math.max(1, Math.round(6 / acquisition.spacing[axis]!)));
  // Two lattice points at least along each axis, and one past the far edge so every voxel is inside.
  const size = [0, 1, 2].map((axis) =>
    Math.max(2, Math.ceil((acquisition.dims[axis]! - 1) / step[axis]!) + 1),
  );
  const [lx, ly, lz] = size as [number, number, number];
  const coords = [0, 1, 2].map(() => new Float32Array(lx * ly * lz));
  const p = new Float64Array(3);
  let o = 0;
  for (let k = 0; k < lz; k++)
    for (let j = 0; j < ly; j++)
      for (let i = 0; i < lx; i++, o++) {
        const x = a[0]![0]! * i * step[0]! + a[0]![3]!;
        const y = a[1]![1]! * j * step[1]! + a[1]![3]!;
        const z = a[2]![2]! * k * step[2]! + a[2]![3]!;
        warp.sourceOf(x, y, z, p);
        for (let r = 0; r < 3; r++)
          coords[r]![o] =
            toVoxel[r]![0]! * p[0]! + toVoxel[r]![1]! * p[1]! + toVoxel[r]![2]! * p[2]! + toVoxel[r]![3]!;
      }
  return {
    step,
    size,
    sample(axis: number, i: number, j: number, k: number, fx: number, fy: number, fz: number): number {
      const c = coords[axis]!;
      const b = i + lx * (j + ly * k);
      const dy = lx;
      const dz = lx * ly;
      const c00 = c[b]! + (c[b + 1]! - c[b]!) * fx;
      const c10 = c[b + dy]! + (c[b + dy + 1]! - c[b + dy]!) * fx;
      const c01 = c[b + dz]! + (c[b + dz + 1]! - c[b + dz]!) * fx;
      const c11 = c[b + dz + dy]! + (c[b + dz + dy + 1]! - c[b + dz + dy]!) * fx;
      const c0 = c00 + (c10 - c00) * fy;
      const c1 = c01 + (c11 - c01) * fy;
      return c0 + (c1 - c0) * fz;
    },
  };
}
