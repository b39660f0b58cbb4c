/**
 * Self-training for few-label fine-tuning (`--self-train F`): after the fraction F of the planned
 * steps, the network being trained segments the training images whose labels the run does not use
 * (pseudo-labels, as noisy-student training and the nnU-Net-based FLARE entries do); from then on
 * every batch is half patches of labelled cases and half patches of pseudo-labelled ones, so the
 * anatomy of the unlabelled images is learnt too. Each pseudo-label map keeps every organ's largest
 * component, and an organ the case's report calls absent (resected, not visualized, outside the field
 * of view) is removed from it: the report knows better than a half-trained network.
 *
 * The switch happens at an epoch boundary, fixed when the batch of that step is first requested (the
 * loop reads batches ahead), and the pseudo-labels are made at the end of the epoch before it, with
 * the weights of exactly that step. They are written to the run folder (`self-training.json`, then
 * `pseudo-labels.bin`, one byte a voxel on the preprocessed grid), so a resumed run trains on the
 * same ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelledVolume } from '../data/patch-sampler.js';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { SegmentationModelInfo } from '../infer/model-description.js';
import { segmentPrepared } from '../infer/segment.js';
import type { SegmentationNetwork } from '../nn/segmentation-network.js';

export const SELF_TRAINING_FILE = 'self-training.json';
export const PSEUDO_LABELS_FILE = 'pseudo-labels.bin';

/** A training image without a label this run uses, preprocessed, with the labels its report rules out. */
export interface UnlabelledVolume extends Omit<LabelledVolume, 'label'> {
  id: string;
  absentLabels: ReadonlySet<number>;
}

/** What `self-training.json` records (the labels themselves are in `pseudo-labels.bin`, in this order). */
export interface SelfTrainingRecord {
  format: 'mosmos-pseudo-labels';
  /** First step trained on the mixed batches. */
  fromStep: number;
  /** Per case; `removedByReport` counts the voxels of organs its report rules out that were cleared. */
  cases: { id: string; dims: [number, number, number]; removedByReport: number }[];
}

/** Whether step `step` (its batch being requested) is where a run planned for `plannedSteps` switches. */
export function isSwitchStep(
  fraction: number,
  step: number,
  plannedSteps: number,
  stepsPerEpoch: number,
): boolean {
  return step > 0 && step % stepsPerEpoch === 0 && step >= Math.ceil(fraction * plannedSteps);
}

/**
 * Labelled and pseudo-labelled volumes alternating (the shorter list repeats), so a sampler that takes
 * volumes in turn gives half its patches to each.
 */
export function interleave<T>(labelled: readonly T[], pseudo: readonly T[]): T[] {
  if (labelled.length === 0 || pseudo.length === 0) return [...labelled, ...pseudo];
  const n = Math.max(labelled.length, pseudo.length);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(labelled[i % labelled.length]!, pseudo[i % pseudo.length]!);
  return out;
}

/**
 * The pseudo-label map of one volume: the model's segmentation (largest component per organ) with
 * the organs the report rules out set to background; `removed` counts the voxels that took.
 */
export function pseudoLabel(
  model: { network: SegmentationNetwork; info: SegmentationModelInfo },
  volume: UnlabelledVolume,
  overlap: number,
): { label: Uint8Array; removed: number } {
  const label = segmentPrepared(model, volume.image, volume.dims, {
    overlap,
    batchSize: model.info.window[2] === 1 ? 32 : 2,
    postprocess: 'lcc',
  });
  return { label, removed: clearLabels(label, volume.absentLabels) };
}

/** Sets the voxels of `labels` to background in place; returns how many there were. */
export function clearLabels(map: Uint8Array, labels: ReadonlySet<number>): number {
  if (labels.size === 0) return 0;
  let cleared = 0;
  for (let i = 0; i < map.length; i++)
    if (labels.has(map[i]!)) {
      map[i] = 0;
      cleared++;
    }
  return cleared;
}

/** Writes the record and the labels (the record last: it is what a resume looks for). */
export function writePseudoLabels(runDir: string, record: SelfTrainingRecord, labels: Uint8Array[]): void {
  const bytes = new Uint8Array(labels.reduce((n, l) => n + l.length, 0));
  let offset = 0;
  for (const l of labels) {
    bytes.set(l, offset);
    offset += l.length;
  }
  writeFileAtomic(join(runDir, PSEUDO_LABELS_FILE), bytes, { force: true });
  writeFileAtomic(join(runDir, SELF_TRAINING_FILE), `${JSON.stringify(record, null, 2)}\n`, { force: true });
}

/**
 * The pseudo-labels a run wrote, checked against the unlabelled volumes it has now; null when it
 * wrote none yet.
 */
export function readPseudoLabels(
  runDir: string,
  volumes: readonly UnlabelledVolume[],
): { record: SelfTrainingRecord; labels: Uint8Array[] } | null {
  const recordFile = join(runDir, SELF_TRAINING_FILE);
  if (!existsSync(recordFile)) return null;
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as SelfTrainingRecord;
  const same =
    record.format === 'mosmos-pseudo-labels' &&
    record.cases.length === volumes.length &&
    record.cases.every(
      (c, i) => c.id === volumes[i]!.id && c.dims.every((d, a) => d === volumes[i]!.dims[a]),
    );
  if (!same)
    throw fileError(
      recordFile,
      `pseudo-labels of cases ${record.cases?.map((c) => c.id).join(', ')}, but this run's unlabelled cases are ${volumes.map((v) => v.id).join(', ')} (another run's folder?)`,
    );
  const binFile = join(runDir, PSEUDO_LABELS_FILE);
  const bytes = existsSync(binFile) ? new Uint8Array(readFileSync(binFile)) : new Uint8Array(0);
  const sizes = volumes.map((v) => v.dims[0] * v.dims[1] * v.dims[2]);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== total)
    throw fileError(binFile, `holds ${bytes.length} bytes, ${total} expected (truncated?)`);
  let offset = 0;
  const labels = sizes.map((n) => {
    const l = bytes.subarray(offset, offset + n);
    offset += n;
    return l;
  });
  return { record, labels };
}

/** Something that gives a step's batch from a list of volumes (a PatchPool). */
export interface BatchSource<Batch> {
  batch(count: number, seed: number, step: number): Promise<Batch>;
  close(): Promise<void>;
}

export interface SelfTrainingOptions<Batch> {
  runDir: string;
  fraction: number;
  stepsPerEpoch: number;
  overlap: number;
  labelled: readonly LabelledVolume[];
  unlabelled: readonly UnlabelledVolume[];
  model: { network: SegmentationNetwork; info: SegmentationModelInfo };
  /** Makes the batch source of a volume list (the mixed one is made once, at the switch). */
  source: (volumes: readonly LabelledVolume[]) => BatchSource<Batch>;
  log: (line: string) => void;
}

/**
 * The batch source of a fine-tuning run with self-training: labelled volumes until the switch step,
 * labelled and pseudo-labelled ones after it (see the file comment).
 */
export class SelfTraining<Batch> {
  private readonly labelledOnly: BatchSource<Batch>;
  private mixed: BatchSource<Batch> | null = null;
  private fromStep: number | null = null;
  private readonly ready: Promise<BatchSource<Batch>>;
  private resolveReady: (source: BatchSource<Batch>) => void = () => {};

  constructor(private readonly options: SelfTrainingOptions<Batch>) {
    this.labelledOnly = options.source(options.labelled);
    this.ready = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
    const written = readPseudoLabels(options.runDir, options.unlabelled);
    if (written) {
      this.fromStep = written.record.fromStep;
      this.startMixed(written.labels);
      options.log(
        `self-training: ${written.labels.length} pseudo-labelled case(s) from step ${this.fromStep} (read from ${SELF_TRAINING_FILE})`,
      );
    }
  }

  /** The batch of step `step` in a run now planned for `plannedSteps` steps. */
  async batch(count: number, seed: number, step: number, plannedSteps: number): Promise<Batch> {
    if (
      this.fromStep === null &&
      isSwitchStep(this.options.fraction, step, plannedSteps, this.options.stepsPerEpoch)
    )
      this.fromStep = step;
    if (this.fromStep === null || step < this.fromStep) return this.labelledOnly.batch(count, seed, step);
    return (await this.ready).batch(count, seed, step);
  }

  /** At the end of an epoch: makes the pseudo-labels when the next step is the switch. */
  atEpochEnd(step: number): void {
    if (this.fromStep !== step || this.mixed) return;
    const { unlabelled, model, overlap, log } = this.options;
    log(`self-training: pseudo-labelling ${unlabelled.length} unlabelled training case(s) at step ${step}`);
    const started = performance.now();
    const made = unlabelled.map((v) => pseudoLabel(model, v, overlap));
    const record: SelfTrainingRecord = {
      format: 'mosmos-pseudo-labels',
      fromStep: step,
      cases: unlabelled.map((v, i) => ({ id: v.id, dims: v.dims, removedByReport: made[i]!.removed })),
    };
    writePseudoLabels(
      this.options.runDir,
      record,
      made.map((m) => m.label),
    );
    const removed = made.reduce((n, m) => n + m.removed, 0);
    log(
      `self-training: done in ${((performance.now() - started) / 1000).toFixed(1)} s; reports removed ${removed} voxel(s) of organs they rule out`,
    );
    this.startMixed(made.map((m) => m.label));
  }

  private startMixed(labels: Uint8Array[]): void {
    const pseudo: LabelledVolume[] = this.options.unlabelled.map((v, i) => ({
      image: v.image,
      label: labels[i]!,
      dims: v.dims,
      ...(v.channels ? { channels: v.channels } : {}),
    }));
    this.mixed = this.options.source(interleave(this.options.labelled, pseudo));
    this.resolveReady(this.mixed);
  }

  async close(): Promise<void> {
    await this.labelledOnly.close();
    await this.mixed?.close();
  }
}
