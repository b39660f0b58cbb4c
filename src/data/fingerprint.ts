/**
 * The dataset fingerprint nnU-Net plans from (`DatasetFingerprintExtractor`): per labelled case the
 * spacing and the shape after cropping to the image's nonzero region (both along RAS x, y, z, the
 * axes models see), and per channel the intensity statistics of the foreground (voxels under any
 * label) from a seeded sample of at most 10⁷ voxels over the whole dataset. Cases are read one at a
 * time, so memory holds one case plus the samples.
 */
import { Rng } from '../engine/random.js';
import { fileError, InputError } from '../errors.js';
import { axisOrientation } from '../volume/orientation.js';
import type { Volume } from '../volume/volume.js';
import { BRATS_REGIONS } from './brats.js';
import { type Dataset, filterByModality, readCaseImage, readCaseLabel } from './dataset.js';
import type { ChannelIntensity, ChannelModality, DatasetFingerprint, Vec3 } from './plan.js';
import { channelOf } from './preprocess.js';

export interface FingerprintOptions {
  /** 'ct' or 'mr': the cases of that modality (AMOS, MM-WHS) and the modality of every channel. */
  modality?: string;
  /** Total foreground voxels sampled per channel over the dataset (nnU-Net: 10⁷). */
  foregroundSamples?: number;
  seed?: number;
  /** Called after each case (progress). */
  onCase?: (index: number, total: number, id: string) => void;
}

/** What one case contributes to the fingerprint. */
export interface CaseFingerprint {
  spacing: Vec3;
  shapeAfterCrop: Vec3;
  relativeSizeAfterCrop: number;
  /** Per channel, the sampled foreground intensities. */
  foreground: Float32Array[];
}

/** The modality of a channel from its name ('CT', 't1ce', 'MRI', 'ADC' …) or the user's --modality. */
export function channelModality(name: string, override?: string): ChannelModality {
  if (override !== undefined) return override.toLowerCase() === 'ct' ? 'ct' : 'mr';
  const n = name.toLowerCase();
  if (n === 'ct|mr')
    throw new InputError(
      'the dataset mixes CT and MR cases; pass --modality ct or --modality mr to plan one of them',
    );
  if (n === 'ct' || n.startsWith('ct ') || n === 'ct_image') return 'ct';
  if (/^(mr|mri|t1|t1ce|t1c|t1gd|t2|t2w|flair|adc|dwi|pd|t1w|t2\*?|swi)/.test(n)) return 'mr';
  return 'other';
}

/**
 * Bounding box of voxels that are nonzero in any channel (nnU-Net's crop to nonzero); the whole
 * image when none are.
 */
function nonzeroShape(image: Volume): { shape: Vec3; relative: number } {
  const dims = [image.dims[0] ?? 1, image.dims[1] ?? 1, image.dims[2] ?? 1] as Vec3;
  const n = dims[0] * dims[1] * dims[2];
  const channels = image.dims[3] ?? 1;
  const lo = [...dims];
  const hi = [-1, -1, -1];
  for (let i = 0; i < n; i++) {
    let nonzero = false;
    for (let c = 0; c < channels && !nonzero; c++) nonzero = image.data[c * n + i] !== 0;
    if (!nonzero) continue;
    const x = i % dims[0];
    const y = Math.floor(i / dims[0]) % dims[1];
    const z = Math.floor(i / (dims[0] * dims[1]));
    if (x < lo[0]!) lo[0] = x;
    if (x > hi[0]!) hi[0] = x;
    if (y < lo[1]!) lo[1] = y;
    if (y > hi[1]!) hi[1] = y;
    if (z < lo[2]!) lo[2] = z;
    if (z > hi[2]!) hi[2] = z;
  }
  if (hi[0]! < 0) return { shape: dims, relative: 1 };
  const shape = [0, 1, 2].map((a) => hi[a]! - lo[a]! + 1) as Vec3;
  return { shape, relative: (shape[0] * shape[1] * shape[2]) / n };
}

/** A voxel-axis vector reordered to RAS x, y, z (what reorientToRas would give). */
function toRas(values: Vec3, image: Volume): Vec3 {
  const orientation = axisOrientation(image.affine);
  const out: Vec3 = [0, 0, 0];
  orientation.forEach((o, voxelAxis) => {
    out[o.axis] = values[voxelAxis]!;
  });
  return out;
}

/**
 * One case's contribution: spacing and cropped shape along RAS axes, and up to `samples` foreground
 * voxels per channel drawn without replacement.
 */
export function fingerprintCase(image: Volume, label: Volume, samples: number, rng: Rng): CaseFingerprint {
  const channels = image.dims[3] ?? 1;
  const n = label.data.length;
  const foregroundIndex: number[] = [];
  for (let i = 0; i < n; i++) if (label.data[i] !== 0) foregroundIndex.push(i);
  // Partial Fisher–Yates: the first `count` entries become a uniform sample.
  const count = Math.min(samples, foregroundIndex.length);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(foregroundIndex.length - i);
    [foregroundIndex[i], foregroundIndex[j]] = [foregroundIndex[j]!, foregroundIndex[i]!];
  }
  const foreground = Array.from({ length: channels }, (_, c) => {
    const data = channelOf(image, c).data;
    const out = new Float32Array(count);
    for (let k = 0; k < count; k++) out[k] = data[foregroundIndex[k]!]!;
    return out;
  });
  const { shape, relative } = nonzeroShape(image);
  return {
    // NIfTI stores spacing as float32: 0.8 reads as 0.800000011920929; six digits keep the plan clean.
    spacing: toRas(image.spacing.map((v) => Number(v.toPrecision(6))) as Vec3, image),
    shapeAfterCrop: toRas(shape, image),
    relativeSizeAfterCrop: relative,
    foreground,
  };
}

/** numpy-style statistics of a channel's pooled samples. */
export function intensityStatistics(values: Float32Array): ChannelIntensity {
  const n = values.length;
  if (n === 0) return { mean: 0, sd: 1, median: 0, min: 0, max: 0, p00_5: 0, p99_5: 0, samples: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => {
    const position = (q / 100) * (n - 1);
    const lower = Math.floor(position);
    const upper = Math.min(lower + 1, n - 1);
    return sorted[lower]! + (position - lower) * (sorted[upper]! - sorted[lower]!);
  };
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) ** 2;
  return {
    mean,
    sd: Math.sqrt(squares / n),
    median: at(50),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    p00_5: at(0.5),
    p99_5: at(99.5),
    samples: n,
  };
}

/**
 * Fingerprints the labelled cases of `dataset` (see the file comment).
 *
 * @example
 * const fingerprint = await extractFingerprint(openDataset('/data/BTCV'));
 */
export async function extractFingerprint(
  source: Dataset,
  options: FingerprintOptions = {},
): Promise<DatasetFingerprint> {
  const dataset =
    options.modality !== undefined && source.cases.some((c) => c.modality !== undefined)
      ? filterByModality(source, options.modality)
      : source;
  const modalities = dataset.modalities.map((name) => channelModality(name, options.modality));
  const cases = dataset.cases.filter((c) => c.label !== undefined);
  if (cases.length === 0) throw fileError(dataset.root, 'no labelled cases to plan from');
  const perCase = Math.max(1, Math.floor((options.foregroundSamples ?? 1e7) / cases.length));
  const rng = new Rng(options.seed ?? 1234);
  const spacings: Vec3[] = [];
  const shapes: Vec3[] = [];
  const relative: number[] = [];
  const samples: Float32Array[][] = dataset.modalities.map(() => []);
  for (const [index, item] of cases.entries()) {
    const image = await readCaseImage(item);
    const label = await readCaseLabel(dataset, item);
    if (label.dims.slice(0, 3).some((d, a) => d !== (image.dims[a] ?? 1)))
      throw fileError(
        item.label!,
        `label grid [${label.dims.slice(0, 3)}] differs from the image's [${image.dims.slice(0, 3)}]`,
      );
    const channels = image.dims[3] ?? 1;
    if (channels !== dataset.modalities.length)
      throw fileError(
        item.images[0]!,
        `has ${channels} channel(s), the dataset names ${dataset.modalities.length}`,
      );
    const fp = fingerprintCase(image, label, perCase, rng);
    spacings.push(fp.spacing);
    shapes.push(fp.shapeAfterCrop);
    relative.push(fp.relativeSizeAfterCrop);
    for (const [c, values] of fp.foreground.entries()) samples[c]!.push(values);
    options.onCase?.(index, cases.length, item.id);
  }
  const pooled = samples.map((parts) => {
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  });
  const sortedRelative = [...relative].sort((a, b) => a - b);
  const mid = sortedRelative.length / 2;
  const medianRelative =
    sortedRelative.length % 2 === 1
      ? sortedRelative[Math.floor(mid)]!
      : (sortedRelative[mid - 1]! + sortedRelative[mid]!) / 2;
  return {
    format: dataset.format,
    root: dataset.root,
    channels: [...dataset.modalities],
    modalities,
    labels: { ...dataset.labels },
    ...(dataset.format === 'brats' ? { regions: Object.values(BRATS_REGIONS).map((r) => ({ ...r })) } : {}),
    cases: cases.map((c) => c.id),
    spacings,
    shapesAfterCrop: shapes,
    medianRelativeSizeAfterCrop: medianRelative,
    foregroundIntensity: pooled.map(intensityStatistics),
  };
}
