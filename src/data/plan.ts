/**
 * Experiment planning as nnU-Net does it (`ExperimentPlanner`), as pure functions of a dataset
 * fingerprint (fingerprint.ts): target spacing, patch and batch from a memory budget and the median
 * shape, network depth from the patch, intensity normalisation per channel, input channels and output
 * classes or regions. Axes are x, y, z of the RAS grid the models see; the 2D configuration works on
 * axial (x, y) slices, as mosmos's 2D U-Net does. Every rule is explained in NOTES-plan.md.
 *
 * @example
 * const plan = planExperiment(await extractFingerprint(openDataset('/data/BTCV')));
 * plan.configurations['2d'].patch; // e.g. [160, 128]
 */
import type { IntensitySetting, PreprocessSettings } from './preprocess.js';

export type Vec3 = [number, number, number];

/** Foreground intensity statistics of one channel (nnU-Net's foreground_intensity_properties). */
export interface ChannelIntensity {
  mean: number;
  sd: number;
  median: number;
  min: number;
  max: number;
  p00_5: number;
  p99_5: number;
  /** Voxels the statistics were computed from (a seeded sample under the labels). */
  samples: number;
}

export type ChannelModality = 'ct' | 'mr' | 'other';

/** What planning needs to know about a dataset (written as `dataset_fingerprint` in the plan). */
export interface DatasetFingerprint {
  format: string;
  root: string;
  /** Channel names, in input order (['CT'], ['t1', 't1ce', 't2', 'flair']). */
  channels: string[];
  modalities: ChannelModality[];
  /** Label value → name (0 = background), after the dataset's remap. */
  labels: Record<number, string>;
  /** Overlapping regions trained with one sigmoid each (BraTS ET/TC/WT), when the dataset has them. */
  regions?: { name: string; labels: number[] }[];
  cases: string[];
  /** Per case, RAS x, y, z (mm). */
  spacings: Vec3[];
  /** Per case, voxels after cropping to the nonzero region of the image (RAS x, y, z). */
  shapesAfterCrop: Vec3[];
  /** Median of (voxels after crop / voxels before); nnU-Net uses it to decide masked z-scores. */
  medianRelativeSizeAfterCrop: number;
  /** Per channel. */
  foregroundIntensity: ChannelIntensity[];
}

/** One network configuration ('2d' or '3d_fullres'), as nnU-Net's plans.json `configurations`. */
export interface PlanConfiguration {
  /** 2D: [x, y] in-plane patch; 3D: [x, y, z]. */
  patch: number[];
  batch: number;
  /** Median case shape (voxels) at the target spacing, along the patch's axes. */
  medianShape: number[];
  /** Pooling (stride-2) operations per axis; the patch is divisible by 2^pools. */
  poolsPerAxis: number[];
  /** Pool kernel of each stage after the first, e.g. [[2, 2, 1], [2, 2, 2]]. */
  poolKernels: number[][];
  /** Encoder stages = pools + 1, and their widths (doubling from `baseWidth`, capped). */
  stages: number;
  widths: number[];
}

export interface ExperimentPlan {
  format: 'mosmos-plan';
  version: 1;
  /** Target spacing (mm, RAS x, y, z) of every configuration. */
  spacing: Vec3;
  /** Per input channel. */
  normalization: IntensitySetting[];
  inputChannels: number;
  channels: string[];
  /** Softmax classes (label value → name, 0 = background), or the sigmoid regions. */
  output:
    | { kind: 'classes'; labels: Record<number, string> }
    | { kind: 'regions'; regions: { name: string; labels: number[] }[] };
  configurations: { '2d': PlanConfiguration; '3d_fullres'?: PlanConfiguration };
  /** The planner's settings, so a plan can be repeated. */
  planner: PlannerSettings;
  dataset_fingerprint: DatasetFingerprint;
}

export interface PlannerSettings {
  /** nnU-Net's anisotropy threshold: an axis coarser than 3× the others is treated as low resolution. */
  anisotropyThreshold: number;
  /**
   * Voxels per optimizer step (batch × patch voxels) each configuration may use: the memory budget.
   * nnU-Net estimates GPU memory from the network; on a CPU, memory and time both scale with the
   * voxels a step processes, so the budget is stated in voxels.
   */
  voxelBudget2d: number;
  voxelBudget3d: number;
  /** nnU-Net's minimum batch size (2) and the most of the dataset one batch may cover (5 %). */
  minBatch: number;
  maxDatasetCovered: number;
  /** Feature maps stop pooling below 2× this edge (nnU-Net's UNet_featuremap_min_edge_length = 4). */
  featureMapMinEdge: number;
  /** Widths double from this per stage, up to the cap (half of nnU-Net's 32 → 512 / 320, for CPUs). */
  baseWidth: number;
  maxWidth2d: number;
  maxWidth3d: number;
}

/**
 * Defaults. The budgets are what two CPU cores train in about a third of a second (2D) and two
 * seconds (3D) per step with the product's U-Nets: 8 × 96² slices, as the measured recipe uses
 * (DESIGN §7), and 2 × 64 × 64 × 32 voxels.
 */
export const defaultPlannerSettings: PlannerSettings = {
  anisotropyThreshold: 3,
  voxelBudget2d: 8 * 96 * 96,
  voxelBudget3d: 2 * 64 * 64 * 32,
  minBatch: 2,
  maxDatasetCovered: 0.05,
  featureMapMinEdge: 4,
  baseWidth: 16,
  maxWidth2d: 256,
  maxWidth3d: 160,
};

/** numpy.percentile with linear interpolation. */
export function percentileOf(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (position - lower) * (sorted[upper]! - sorted[lower]!);
}

const median = (values: readonly number[]) => percentileOf(values, 50);

/**
 * Target spacing: the median spacing per axis; when one axis is both coarser than
 * `threshold` × the others and has fewer than 1/threshold of their voxels (nnU-Net's
 * `determine_fullres_target_spacing`), that axis takes the 10th percentile of its spacings instead,
 * so thin-slice cases are not smeared to the median's thick slices.
 */
export function targetSpacing(spacings: readonly Vec3[], shapes: readonly Vec3[], threshold = 3): Vec3 {
  const target = [0, 1, 2].map((a) => median(spacings.map((s) => s[a]!))) as Vec3;
  const size = [0, 1, 2].map((a) => median(shapes.map((s) => s[a]!)));
  const worst = target.indexOf(Math.max(...target));
  const others = [0, 1, 2].filter((a) => a !== worst);
  const otherSpacing = Math.max(...others.map((a) => target[a]!));
  const anisotropicSpacing = target[worst]! > threshold * otherSpacing;
  const anisotropicVoxels = size[worst]! * threshold < Math.min(...others.map((a) => size[a]!));
  if (anisotropicSpacing && anisotropicVoxels) {
    let low = percentileOf(
      spacings.map((s) => s[worst]!),
      10,
    );
    // Never finer than the other axes.
    if (low < otherSpacing) low = Math.max(otherSpacing, low) + 1e-5;
    target[worst] = low;
  }
  return target;
}

/** Each case's shape after resampling to `spacing` (nnU-Net's compute_new_shape), then the median. */
export function medianShapeAtSpacing(
  spacings: readonly Vec3[],
  shapes: readonly Vec3[],
  spacing: Vec3,
): Vec3 {
  const resampled = shapes.map((shape, i) =>
    shape.map((n, a) => Math.round((n * spacings[i]![a]!) / spacing[a]!)),
  );
  return [0, 1, 2].map((a) => median(resampled.map((s) => s[a]!))) as Vec3;
}

/** Network topology of a patch: pools per axis, kernels per stage, and the patch padded to fit them. */
export interface PoolingTopology {
  poolsPerAxis: number[];
  poolKernels: number[][];
  /** The patch rounded up to a multiple of 2^pools on every axis. */
  patch: number[];
  divisibleBy: number[];
}

/**
 * nnU-Net's `get_pool_and_conv_props`: pool an axis while its feature map stays ≥ 2 × `minEdge`
 * voxels and its spacing is within 2× of the finest poolable axis (so anisotropic axes wait until
 * the others have caught up); a lone axis pools only while ≥ 3 × `minEdge`.
 */
export function poolingTopology(
  spacing: readonly number[],
  patch: readonly number[],
  minEdge = 4,
): PoolingTopology {
  const dims = spacing.length;
  const current = [...spacing];
  const size = [...patch];
  const pools = new Array<number>(dims).fill(0);
  const kernels: number[][] = [];
  for (;;) {
    let valid = [...Array(dims).keys()].filter((a) => size[a]! >= 2 * minEdge);
    if (valid.length === 0) break;
    const finest = Math.min(...valid.map((a) => current[a]!));
    valid = valid.filter((a) => current[a]! / finest < 2);
    if (valid.length === 1 && size[valid[0]!]! < 3 * minEdge) break;
    if (valid.length === 0) break;
    const kernel = new Array<number>(dims).fill(1);
    for (const a of valid) {
      kernel[a] = 2;
      pools[a]!++;
      current[a]! *= 2;
      size[a] = Math.ceil(size[a]! / 2);
    }
    kernels.push(kernel);
  }
  const divisibleBy = pools.map((p) => 2 ** p);
  return {
    poolsPerAxis: pools,
    poolKernels: kernels,
    patch: patch.map((n, a) => Math.ceil(n / divisibleBy[a]!) * divisibleBy[a]!),
    divisibleBy,
  };
}

const product = (xs: readonly number[]) => xs.reduce((p, x) => p * x, 1);

/**
 * Patch, batch and depth of one configuration (nnU-Net's `get_plans_for_configuration`): start from
 * a patch with the aspect of the spacing (isotropic in mm) clipped to the median shape; while two
 * patches exceed the voxel budget, shrink the axis that is largest relative to the median shape by
 * one pooling step; the batch then fills the budget, capped so that one batch covers at most 5 % of
 * the dataset, and never below 2.
 */
export function planConfiguration(
  spacing: readonly number[],
  medianShape: readonly number[],
  datasetVoxels: number,
  settings: PlannerSettings,
): PlanConfiguration {
  const dims = spacing.length;
  const budget = dims === 2 ? settings.voxelBudget2d : settings.voxelBudget3d;
  const inverse = spacing.map((s) => 1 / s);
  // nnU-Net starts from 256³ (3D) or 2048² (2D) voxels; clipped to the median shape at once.
  const start = dims === 3 ? 256 ** 3 : 2048 ** 2;
  const scale = (start / product(inverse)) ** (1 / dims);
  const initial = inverse.map((v, a) => Math.max(1, Math.min(Math.round(v * scale), medianShape[a]!)));
  let topology = poolingTopology(spacing, initial, settings.featureMapMinEdge);
  let patch = topology.patch;
  while (product(patch) * settings.minBatch > budget) {
    const ratios = patch.map((n, a) => n / medianShape[a]!);
    const axis = ratios.indexOf(Math.max(...ratios));
    // As nnU-Net: recompute the divisor for the smaller patch, so sizes like 224 are not skipped.
    const trial = [...patch];
    trial[axis]! -= topology.divisibleBy[axis]!;
    const step = poolingTopology(spacing, trial, settings.featureMapMinEdge).divisibleBy[axis]!;
    const next = [...patch];
    next[axis] = Math.max(1, next[axis]! - step);
    if (next[axis] === patch[axis]) break;
    topology = poolingTopology(spacing, next, settings.featureMapMinEdge);
    patch = topology.patch;
  }
  const fill = Math.floor(budget / product(patch));
  const coverage = Math.round((datasetVoxels * settings.maxDatasetCovered) / product(patch));
  const batch = Math.max(Math.min(fill, coverage), settings.minBatch);
  const stages = Math.max(...topology.poolsPerAxis) + 1;
  const maxWidth = dims === 2 ? settings.maxWidth2d : settings.maxWidth3d;
  return {
    patch,
    batch,
    medianShape: [...medianShape],
    poolsPerAxis: topology.poolsPerAxis,
    poolKernels: topology.poolKernels,
    stages,
    widths: Array.from({ length: stages }, (_, i) => Math.min(settings.baseWidth * 2 ** i, maxWidth)),
  };
}

/**
 * Normalisation per channel (nnU-Net's CTNormalization / ZScoreNormalization): CT clips to the
 * foreground 0.5–99.5 percentiles and z-scores with the foreground mean and sd, the same numbers for
 * every image, since Hounsfield units are absolute; every other channel is z-scored per image over
 * its nonzero (body) voxels, since MR intensities have no absolute scale.
 */
export function channelNormalization(fingerprint: DatasetFingerprint): IntensitySetting[] {
  return fingerprint.modalities.map((modality, c) => {
    if (modality !== 'ct') return { kind: 'zscore' };
    const s = fingerprint.foregroundIntensity[c]!;
    return { kind: 'ct-zscore', low: s.p00_5, high: s.p99_5, mean: s.mean, sd: s.sd };
  });
}

/** The whole plan from a fingerprint (see the file comment); `settings` override the defaults. */
export function planExperiment(
  fingerprint: DatasetFingerprint,
  settings: Partial<PlannerSettings> = {},
): ExperimentPlan {
  const planner = { ...defaultPlannerSettings, ...settings };
  if (fingerprint.cases.length === 0) throw new RangeError('cannot plan from a fingerprint without cases');
  const spacing = targetSpacing(
    fingerprint.spacings,
    fingerprint.shapesAfterCrop,
    planner.anisotropyThreshold,
  );
  const shape = medianShapeAtSpacing(fingerprint.spacings, fingerprint.shapesAfterCrop, spacing);
  const datasetVoxels = product(shape) * fingerprint.cases.length;
  const plan2d = planConfiguration(spacing.slice(0, 2), shape.slice(0, 2), datasetVoxels, planner);
  // nnU-Net plans 3d_fullres only for volumes (more than one slice).
  const plan3d = shape[2] > 1 ? planConfiguration(spacing, shape, datasetVoxels, planner) : undefined;
  return {
    format: 'mosmos-plan',
    version: 1,
    spacing,
    normalization: channelNormalization(fingerprint),
    inputChannels: fingerprint.channels.length,
    channels: [...fingerprint.channels],
    output: fingerprint.regions
      ? { kind: 'regions', regions: fingerprint.regions }
      : { kind: 'classes', labels: fingerprint.labels },
    configurations: plan3d ? { '2d': plan2d, '3d_fullres': plan3d } : { '2d': plan2d },
    planner,
    dataset_fingerprint: fingerprint,
  };
}

/** Which configuration an architecture trains with. */
export type PlanConfigurationName = '2d' | '3d_fullres';

/** What fine-tuning and pre-training take from a plan. */
export interface PlannedSettings {
  preprocess: PreprocessSettings;
  /** 2D: [x, y]; 3D: [x, y, z]. */
  patch: number[];
  batch: number;
  widths: number[];
  stages: number;
  inputChannels: number;
}

/**
 * The settings a run takes from `plan` for `configuration`.
 *
 * @example
 * const { preprocess, patch, batch, widths } = planToFinetuneSettings(plan, '2d');
 */
export function planToFinetuneSettings(
  plan: ExperimentPlan,
  configuration: PlanConfigurationName,
): PlannedSettings {
  const config = plan.configurations[configuration];
  if (!config) throw new RangeError(`the plan has no ${configuration} configuration (2D data?)`);
  // mosmos's U-Nets pool every axis at every stage, so they take the depth the least-pooled axis
  // allows (at least 2 stages) and a patch divisible by 2^(stages − 1) on every axis.
  const stages = Math.max(2, Math.min(...config.poolsPerAxis) + 1);
  const reduction = 2 ** (stages - 1);
  return {
    preprocess: {
      spacing: [...plan.spacing],
      intensity: plan.normalization.length === 1 ? plan.normalization[0]! : [...plan.normalization],
    },
    patch: config.patch.map((n) => Math.ceil(n / reduction) * reduction),
    batch: config.batch,
    widths: Array.from({ length: stages }, (_, i) => config.widths[i] ?? plan.planner.baseWidth * 2 ** i),
    stages,
    inputChannels: plan.inputChannels,
  };
}
