/**
 * Whole-volume segmentation with a fine-tuned model (`mosmos segment`): preprocessing exactly as in
 * training (reorient to RAS, resample to the run's spacing, intensity normalisation), sliding-window
 * class probabilities, then back to EXACTLY the input's grid: each class's probability volume is
 * reoriented to the input's axis order (a permutation, exact) and resampled trilinearly onto the
 * input grid, and the argmax is taken there — smoother organ borders than resampling a label map
 * with nearest neighbour. Region models (BraTS) do the same with one sigmoid per region: each
 * region's probability is resampled onto the input grid and thresholded at 0.5 there, and the
 * regions are painted largest first (WT → 2, TC → 1, ET → 4). Multi-channel models take a 4D input
 * (one channel per file, stacked). The output has the input's dims and affine, value for value.
 *
 * Peak memory beyond the input: classes × (preprocessed voxels) float32 for the probabilities, plus
 * on the input grid one float32 class volume, one float32 running maximum and the uint8 labels.
 */
import { channelSettings, preprocessVolume } from '../data/preprocess.js';
import { type Region, regionPaintOrder, regionsToLabelMap } from '../data/regions.js';
import { cropToBox, foregroundBox, translation, unionBox, type VoxelBox } from '../volume/crop.js';
import { invertAffine, multiply4 } from '../volume/matrix.js';
import { orientationCode, reorient } from '../volume/orientation.js';
import { resampleToGrid } from '../volume/resample.js';
import type { Volume } from '../volume/volume.js';
import { keepLargestComponents } from './connected-components.js';
import { addInto, assertEnsembleCompatible, scaleInPlace } from './model-ensemble.js';
import { argmaxClasses, type PredictOptions, predictVolume } from './predict.js';
import type { SegmentationModel } from './segmentation-model.js';
import { trunkMask } from './trunk-mask.js';

export interface SegmentOptions {
  overlap?: number;
  tta?: boolean;
  batchSize?: number;
  /**
   * 'lcc': keep the largest 26-connected component of every organ, and on a CT model only what lies
   * in the patient's trunk (trunk-mask.ts); default: the model's choice.
   */
  postprocess?: 'none' | 'lcc';
  onProgress?: (done: number, total: number) => void;
}

/**
 * Volume `index` of `probs` ([volumes, preprocessed voxels]) reoriented to the target's axis order
 * and resampled linearly onto its grid — or onto the sub-grid `targetBox` of it, reading only the
 * preprocessed voxels in `sourceBox`; `fill` outside the preprocessed field of view.
 */
function probabilityOnGrid(
  probs: Float32Array,
  index: number,
  source: { dims: [number, number, number]; affine: number[][] },
  target: Pick<Volume, 'dims' | 'affine'>,
  fill: number,
  boxes?: { sourceBox: VoxelBox; targetBox: VoxelBox },
): Volume['data'] {
  const [nx, ny, nz] = source.dims;
  const voxels = nx * ny * nz;
  let volume: Volume = {
    data: probs.subarray(index * voxels, (index + 1) * voxels),
    dims: [nx, ny, nz],
    spacing: [1, 1, 1],
    affine: source.affine,
    datatype: 'float32',
  };
  let grid = { dims: [target.dims[0] ?? 1, target.dims[1] ?? 1, target.dims[2] ?? 1], affine: target.affine };
  if (boxes) {
    volume = cropToBox(volume, boxes.sourceBox, fill);
    const { start, end } = boxes.targetBox;
    grid = {
      dims: [0, 1, 2].map((a) => end[a]! - start[a]!),
      affine: multiply4(target.affine, translation(start)),
    };
  }
  return resampleToGrid(reorient(volume, orientationCode(target.affine)), grid, 'linear', { fill }).data;
}

/**
 * Where class `index` can win the argmax. The interpolated probabilities of a voxel sum to 1, so its
 * winner has at least 1/classes; a class at most `floor` (< 1/classes) at both ends of every axis's
 * interpolation stencil cannot win there. Returns the preprocessed voxels to read (the box of voxels
 * above `floor`, grown by 2 for the stencils) and the target voxels whose stencils reach that box;
 * null when the class is nowhere above `floor`.
 */
function classBoxes(
  probs: Float32Array,
  index: number,
  floor: number,
  source: { dims: [number, number, number]; affine: number[][] },
  target: Pick<Volume, 'dims' | 'affine'>,
): { sourceBox: VoxelBox; targetBox: VoxelBox } | null {
  const [nx, ny, nz] = source.dims;
  const voxels = nx * ny * nz;
  const data = probs.subarray(index * voxels, (index + 1) * voxels);
  const above = foregroundBox({ data, dims: [nx, ny, nz] } as unknown as Volume, floor);
  if (above === null) return null;
  const lo = above.start;
  const hi = above.end.map((e) => e - 1);
  const sourceBox: VoxelBox = {
    start: [0, 1, 2].map((a) => Math.max(0, lo[a]! - 2)) as [number, number, number],
    end: [0, 1, 2].map((a) => Math.min(source.dims[a]!, hi[a]! + 3)) as [number, number, number],
  };
  // Target voxels whose continuous source position is within one voxel of the above-floor box.
  const toTarget = multiply4(invertAffine(target.affine), source.affine);
  const targetDims = [target.dims[0] ?? 1, target.dims[1] ?? 1, target.dims[2] ?? 1];
  const tlo = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const thi = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let corner = 0; corner < 8; corner++) {
    const p = [0, 1, 2].map((a) => ((corner >> a) & 1 ? hi[a]! + 1 : lo[a]! - 1));
    for (let r = 0; r < 3; r++) {
      const t =
        toTarget[r]![0]! * p[0]! + toTarget[r]![1]! * p[1]! + toTarget[r]![2]! * p[2]! + toTarget[r]![3]!;
      tlo[r] = Math.min(tlo[r]!, t);
      thi[r] = Math.max(thi[r]!, t);
    }
  }
  const targetBox: VoxelBox = {
    start: [0, 1, 2].map((a) => Math.min(targetDims[a]! - 1, Math.max(0, Math.floor(tlo[a]!)))) as [
      number,
      number,
      number,
    ],
    end: [0, 1, 2].map((a) => Math.max(1, Math.min(targetDims[a]!, Math.ceil(thi[a]!) + 1))) as [
      number,
      number,
      number,
    ],
  };
  return { sourceBox, targetBox };
}

/**
 * Class probabilities on a preprocessed grid → uint8 labels on `target`'s grid. Each organ is
 * resampled only where it can win (classBoxes) and background only inside the union of those
 * boxes; everywhere else is background. On a 512²×300 CT this is a fraction of resampling all
 * classes over the whole grid, with the same labels.
 */
export function probabilitiesToGrid(
  probs: Float32Array,
  classes: number,
  source: { dims: [number, number, number]; affine: number[][] },
  target: Pick<Volume, 'dims' | 'affine'>,
): Uint8Array {
  const targetDims = [target.dims[0] ?? 1, target.dims[1] ?? 1, target.dims[2] ?? 1];
  const labels = new Uint8Array(targetDims[0]! * targetDims[1]! * targetDims[2]!);
  const best = new Float32Array(labels.length).fill(Number.NEGATIVE_INFINITY);
  const floor = 0.5 / classes;
  const organs: { c: number; boxes: { sourceBox: VoxelBox; targetBox: VoxelBox } }[] = [];
  for (let c = 1; c < classes; c++) {
    const boxes = classBoxes(probs, c, floor, source, target);
    if (boxes) organs.push({ c, boxes });
  }
  if (organs.length === 0) return labels;
  const background = organs
    .map((o) => o.boxes)
    .reduce((a, b) => ({
      sourceBox: unionBox(a.sourceBox, b.sourceBox),
      targetBox: unionBox(a.targetBox, b.targetBox),
    }));
  for (const { c, boxes } of [{ c: 0, boxes: background }, ...organs]) {
    // Outside the preprocessed field of view (rounding at the borders) is background.
    const onGrid = probabilityOnGrid(probs, c, source, target, c === 0 ? 1 : 0, boxes);
    const { start, end } = boxes.targetBox;
    const width = end[0] - start[0];
    let i = 0;
    for (let z = start[2]; z < end[2]; z++)
      for (let y = start[1]; y < end[1]; y++) {
        const row = (z * targetDims[1]! + y) * targetDims[0]! + start[0];
        for (let x = 0; x < width; x++, i++)
          if (onGrid[i]! > best[row + x]!) {
            best[row + x] = onGrid[i]!;
            labels[row + x] = c;
          }
      }
  }
  return labels;
}

/**
 * Region probabilities [regions, preprocessed voxels] → uint8 labels on `target`'s grid: each region
 * resampled linearly, > `threshold` there, painted largest region first (see `regionPaintOrder`).
 */
export function regionProbabilitiesToGrid(
  probs: Float32Array,
  regions: readonly Region[],
  source: { dims: [number, number, number]; affine: number[][] },
  target: Pick<Volume, 'dims' | 'affine'>,
  threshold = 0.5,
): Uint8Array {
  const labels = new Uint8Array((target.dims[0] ?? 1) * (target.dims[1] ?? 1) * (target.dims[2] ?? 1));
  for (const { region, value } of regionPaintOrder(regions)) {
    const onGrid = probabilityOnGrid(probs, region, source, target, 0);
    for (let i = 0; i < labels.length; i++) if (onGrid[i]! > threshold) labels[i] = value;
  }
  return labels;
}

/** What `predictVolume` needs from a model description besides the window's image. */
export function predictOptions(info: SegmentationModel['info']): PredictOptions {
  return {
    window: info.window,
    classes: info.network.classes,
    channels: info.network.inChannels,
    activation: info.regions ? 'sigmoid' : 'softmax',
  };
}

/**
 * Segments `input` (NIfTI or DICOM volume; the first channel, or for a multi-channel model that many
 * channels of a 4D volume) → a uint8 label map with the input's dims, affine and source header.
 * Several models (an ensemble, model-ensemble.ts) have their probabilities averaged; the first one's
 * description (labels, preprocessing, post-processing) speaks for all.
 * @example const seg = await segmentVolume(await readVolume('ct.nii.gz'), await loadSegmentationModel('runs/ft'));
 */
export function segmentVolume(
  input: Volume,
  model: SegmentationModel | readonly SegmentationModel[],
  options: SegmentOptions = {},
): Volume<Uint8Array> {
  const members = Array.isArray(model) ? model : [model as SegmentationModel];
  assertEnsembleCompatible(members);
  const { info } = members[0]!;
  const classes = info.network.classes;
  const prepared = preprocessVolume(input, info.preprocess);
  const predict = (member: SegmentationModel) =>
    predictVolume(member.network, prepared.data, prepared.dims, {
      ...predictOptions(member.info),
      overlap: options.overlap,
      tta: options.tta,
      batchSize: options.batchSize,
      onProgress: options.onProgress,
    });
  // One member's probabilities at a time: a whole CT's are gigabytes.
  const probs = predict(members[0]!);
  for (const member of members.slice(1)) addInto(probs, predict(member));
  if (members.length > 1) scaleInPlace(probs, 1 / members.length);
  const dims = [input.dims[0] ?? 1, input.dims[1] ?? 1, input.dims[2] ?? 1] as [number, number, number];
  const grid = { dims: prepared.dims, affine: prepared.affine! };
  let labels = info.regions
    ? regionProbabilitiesToGrid(probs, info.regions, grid, input)
    : probabilitiesToGrid(probs, classes, grid, input);
  if ((options.postprocess ?? info.postprocess) === 'lcc') {
    if (readsHounsfield(info)) outsideToBackground(labels, trunkMask(input.data, dims, input.spacing));
    labels = keepLargestComponents(labels, dims);
  }
  return {
    data: labels,
    dims: [...dims],
    spacing: [...input.spacing],
    affine: input.affine.map((r) => [...r]),
    datatype: 'uint8',
    source: input.source,
  };
}

/** A one-channel CT model: its input is in Hounsfield units, so the trunk can be found. */
function readsHounsfield(info: SegmentationModel['info']): boolean {
  const settings = channelSettings(info.preprocess);
  return settings.length === 1 && (settings[0]!.kind === 'ct' || settings[0]!.kind === 'ct-zscore');
}

/** Sets labels where `mask` is 0 to background, in place. */
function outsideToBackground(labels: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < labels.length; i++) if (mask[i] === 0) labels[i] = 0;
}

/**
 * Labels on the preprocessed grid (validation during training: no mapping back). Its image is
 * normalised, not in HU, so `lcc` here keeps largest components only.
 */
export function segmentPrepared(
  model: Pick<SegmentationModel, 'network' | 'info'>,
  image: Float32Array,
  dims: [number, number, number],
  options: SegmentOptions = {},
): Uint8Array {
  const probs = predictVolume(model.network, image, dims, {
    ...predictOptions(model.info),
    overlap: options.overlap,
    tta: options.tta,
    batchSize: options.batchSize,
  });
  const regions = model.info.regions;
  const labels = regions
    ? regionsToLabelMap(probs, regions)
    : argmaxClasses(probs, model.info.network.classes);
  return (options.postprocess ?? model.info.postprocess) === 'lcc'
    ? keepLargestComponents(labels, dims)
    : labels;
}
