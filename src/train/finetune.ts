/**
 * MOSMOS fine-tuning (DESIGN.md §1): a 2D U-Net, 3D U-Net or UNETR, optionally starting from a
 * pre-training run's encoder and tag queries, with pixel-tag attention maps at every decoder stage
 * (switchable for the ablation). The recipe (issue 10, DESIGN.md §7): class-balanced foreground
 * patches augmented in a worker thread, Dice + CE with deep supervision, AdamW 3e-3 with poly decay,
 * an optional time budget; validation by sliding-window Dice per organ. Every input channel the
 * preprocessing names is fed to the network (BraTS: t1, t1ce, t2, flair), and with `regions` (BraTS
 * WT/TC/ET from the plan) the network has one sigmoid output per region trained with BCE + Dice. The loop itself (epochs,
 * checkpoints, exact resume, metrics.jsonl) is `runTraining`; this file supplies its hooks and writes
 * run.json, splits.json and model.json (everything `mosmos segment` needs).
 * @example await finetune({ ...defaultFinetuneConfig, data: 'phantom', out: 'runs/ft', attentionMaps: false })
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { filterByModality, openDataset } from '../data/dataset.js';
import { PatchPool } from '../data/patch-pool.js';
import type { LabelledVolume, PatchBatch } from '../data/patch-sampler.js';
import { channelSettings, defaultPreprocess, type PreprocessSettings } from '../data/preprocess.js';
import type { Region } from '../data/regions.js';
import { PLAN_FILE, writePlan } from '../data/resolve-plan.js';
import {
  AdamW,
  type ParamGroup,
  polyLr,
  saveSafetensors,
  seed,
  type Tensor,
  tensor,
  tidy,
} from '../engine/index.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { MODEL_INFO_FILE, type SegmentationModelInfo } from '../infer/model-description.js';
import { namedParameters } from '../nn/module.js';
import {
  buildSegmentationNetwork,
  type SegmentationNetwork,
  type SegmentationNetworkConfig,
  segmentationOutputs,
} from '../nn/segmentation-network.js';
import { getVocabulary } from '../report/vocabularies.js';
import { applyGradients } from './apply-gradients.js';
import { resumedConfig } from './checkpoint.js';
import type { FinetuneConfig } from './finetune-config.js';
import {
  finetuneSplits,
  loadLabelledCase,
  loadPreparedImage,
  reportAbsentLabels,
  reportedOrgans,
} from './finetune-data.js';
import { type ValidationResult, validateSegmentation } from './finetune-validate.js';
import type { PretrainRuntime } from './pretrain.js';
import { vitSettings } from './pretrain-config.js';
import { initializeFromPretrained, type PretrainedParts, readPretrainedParts } from './pretrained-encoder.js';
import type { ProgressStream } from './progress.js';
import { deepSupervisionRegionLoss } from './region-losses.js';
import { createRunFolder, readMetrics } from './run-record.js';
import { deepSupervisionLoss } from './segmentation-losses.js';
import { SelfTraining, type UnlabelledVolume } from './self-training.js';
import type { StopSignal } from './stop-signal.js';
import { runTraining, type StepFigures } from './training-loop.js';

export interface FinetuneRuntime {
  argv?: string[];
  progressStream?: ProgressStream;
  log?: (line: string) => void;
  stop?: StopSignal;
  /** Loads a BERT text encoder when the pre-training run used one. */
  loadTextEncoder?: PretrainRuntime['loadTextEncoder'];
}

export interface FinetuneResult {
  runDir: string;
  /** Steps taken in this invocation, and the run's planned total (set by --time-budget). */
  steps: number;
  plannedSteps: number;
  /** Measured milliseconds per step when a time budget planned the run. */
  msPerStep: number | null;
  interrupted: boolean;
  /** Mean training loss of each epoch run in this invocation. */
  epochLosses: number[];
  validation: ValidationResult[];
  bestDice: number | null;
  splits: ReturnType<typeof finetuneSplits>['splits'];
}

/** sha256 over each file's path, size and modification time (the cases a run used). */
function filesFingerprint(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const info = existsSync(file) ? statSync(file) : undefined;
    hash.update(`${file}\t${info?.size ?? -1}\t${info?.mtimeMs ?? -1}\n`);
  }
  return hash.digest('hex');
}

/** No weight decay on biases and norms (rank ≤ 1); frozen parameters (--freeze-tags) stay out. */
function parameterGroups(network: object): ParamGroup[] {
  const params = namedParameters(network)
    .map(([, p]) => p)
    .filter((p) => p.requiresGrad);
  return [
    { params: params.filter((p) => p.rank > 1) },
    { params: params.filter((p) => p.rank <= 1), weightDecay: 0 },
  ];
}

/**
 * The network configuration a fine-tuning run implies (from the pre-training run when given):
 * `inChannels` input channels and `classes` outputs (softmax classes, or one per sigmoid region).
 */
function networkConfig(
  config: FinetuneConfig,
  inChannels: number,
  classes: number,
  pretrained: PretrainedParts | null,
): { network: SegmentationNetworkConfig; tags?: string[]; tagVocabulary?: string } {
  let attention: SegmentationNetworkConfig['attention'];
  let tags: string[] | undefined;
  let tagVocabulary: string | undefined;
  if (config.attentionMaps) {
    tagVocabulary = pretrained?.config.tags ?? config.tags;
    tags = pretrained?.tagNames ?? getVocabulary(config.tags).tags.map((t) => t.name);
    attention = {
      tags: tags.length,
      embedDim: pretrained?.config.embedDim ?? 64,
      tau: pretrained?.config.tau ?? 0.1,
    };
  }
  if (config.arch === 'unet2d' || config.arch === 'unet3d')
    return {
      network: {
        arch: config.arch,
        inChannels,
        classes,
        widths: pretrained?.config.widths ?? config.widths,
        attention,
        deepSupervision: config.deepSupervision,
      },
      tags,
      tagVocabulary,
    };
  return {
    network: {
      arch: 'unetr',
      inChannels,
      classes,
      featureSize: config.featureSize,
      vit: vitSettings(pretrained?.config.vit ?? config.vit),
      attention,
    },
    tags,
    tagVocabulary,
  };
}

/** Sliding-window window [x, y, z] on the preprocessed grid. */
function windowOf(network: SegmentationNetworkConfig, config: FinetuneConfig): [number, number, number] {
  if (network.arch === 'unet2d') return [config.patch[0], config.patch[1], 1];
  if (network.arch === 'unet3d') {
    const [x, y, z] = config.patch;
    if (z === undefined)
      throw new InputError(`--arch unet3d needs a 3D --patch x,y,z, got ${config.patch.join(',')}`);
    return [x, y, z];
  }
  const [d, h, w] = network.vit.imageSize;
  return [w, h, d];
}

export async function finetune(
  config: FinetuneConfig,
  runtime: FinetuneRuntime = {},
): Promise<FinetuneResult> {
  const log = runtime.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runDir = resolve(config.out);
  if (config.resume) config = resumedConfig(runDir, config);
  if (config.arch !== 'unetr' && config.patch.some((p) => !(Number.isInteger(p) && p > 0)))
    throw new InputError(`--patch must be positive integers, got ${config.patch.join(',')}`);
  let dataset = openDataset(config.data, config.format);
  if (config.modality) dataset = filterByModality(dataset, config.modality);
  const labelValues = Object.keys(dataset.labels).map(Number);
  const classes = Math.max(...labelValues) + 1;
  if (classes < 2 || classes > 255)
    throw new InputError(`${config.data}: need 1 to 254 organ labels, found ${classes - 1}`);
  const { splits, train, validation, unlabelled } = finetuneSplits(
    dataset,
    config.labelFraction,
    config.seed,
    {
      labelledCases: config.labelledCases,
      splitSeed: config.splitSeed,
      pick: config.labelledPick,
      organs: config.labelledPick === 'report-coverage' ? reportedOrgans(dataset, config.tags) : undefined,
    },
  );

  const pretrained = config.pretrained
    ? await readPretrainedParts(resolve(config.pretrained), runtime)
    : null;
  if (pretrained && pretrained.config.arch !== config.arch)
    throw new InputError(
      `${config.pretrained}: pre-trained for --arch ${pretrained.config.arch}, not ${config.arch}`,
    );
  const preprocess: PreprocessSettings =
    config.preprocess ?? pretrained?.config.preprocess ?? defaultPreprocess;
  const inChannels = channelSettings(preprocess).length;
  const channelNames = dataset.modalities.length === inChannels ? [...dataset.modalities] : undefined;
  if (dataset.modalities.length > inChannels)
    log(
      `${config.data}: ${dataset.modalities.length} channels (${dataset.modalities.join(', ')}); this run reads ${inChannels} (plan the dataset to use all)`,
    );
  if (pretrained && inChannels > 1)
    throw new InputError(
      `${config.pretrained}: pre-training reads one channel, but this run has ${inChannels} (${channelNames?.join(', ') ?? 'preprocess.intensity'}); fine-tune without --pretrained`,
    );
  const regions: Region[] | undefined = config.regions?.map((r) => ({ name: r.name, labels: [...r.labels] }));
  if (regions && regions.length === 0) throw new InputError('regions: need at least one region');
  const described = networkConfig(config, inChannels, regions?.length ?? classes, pretrained);
  // A largest-component filter per painted label would drop a multifocal tumour's other lesions
  // (nnU-Net keeps every component for BraTS), so region models are not post-processed.
  const postprocess = regions ? 'none' : config.postprocess;
  if (regions && config.postprocess !== 'none')
    log(`regions ${regions.map((r) => r.name).join(', ')}: no largest-component post-processing`);
  const window = windowOf(described.network, config);
  if (described.network.arch !== 'unetr') {
    const reduction = 2 ** (described.network.widths.length - 1);
    if (window.some((w, a) => (a < 2 || described.network.arch === 'unet3d') && w % reduction !== 0))
      throw new InputError(
        `--patch ${config.patch.join(',')} must be divisible by ${reduction} for this U-Net`,
      );
  }

  const { runId } = createRunFolder(
    runDir,
    {
      command: 'finetune',
      argv: runtime.argv ?? [],
      seed: config.seed,
      dataFingerprint: filesFingerprint([...train, ...validation].flatMap((c) => [...c.images, c.label!])),
      config: { ...config, plan: undefined, data: resolve(config.data), out: runDir, preprocess },
    },
    { resume: config.resume, force: config.force },
  );
  writeFileAtomic(join(runDir, 'splits.json'), `${JSON.stringify(splits, null, 2)}\n`, { force: true });
  if (config.plan) writePlan(join(runDir, PLAN_FILE), config.plan, { force: true });
  const labels: Record<string, string> = Object.fromEntries(
    Object.entries(dataset.labels).map(([k, v]) => [k, v]),
  );
  const modelInfo: SegmentationModelInfo = {
    format: 'mosmos-segmentation-model',
    network: described.network,
    preprocess,
    orientation: 'RAS',
    window,
    labels,
    ...(inChannels > 1
      ? { channels: channelNames ?? Array.from({ length: inChannels }, (_, c) => `channel ${c}`) }
      : {}),
    ...(regions ? { regions } : {}),
    tags: described.tags,
    tagVocabulary: described.tagVocabulary,
    weights: validation.length > 0 ? 'best.safetensors' : 'last.safetensors',
    ...(runId === undefined ? {} : { runId }),
    postprocess,
  };
  writeFileAtomic(join(runDir, MODEL_INFO_FILE), `${JSON.stringify(modelInfo, null, 2)}\n`, { force: true });

  seed(config.seed);
  const network = buildSegmentationNetwork(described.network);
  if (pretrained) initializeFromPretrained(network, pretrained);
  if (config.freezeTags && network.attention) network.attention.freeze();
  const optimizer = new AdamW(parameterGroups(network), { lr: config.lr, weightDecay: config.weightDecay });
  let bestDice: number | null = null;
  if (config.resume)
    for (const r of readMetrics(runDir))
      if (r.type === 'validation' && typeof r.meanDice === 'number')
        bestDice = Math.max(bestDice ?? -1, r.meanDice);

  log(`loading ${train.length} training and ${validation.length} validation case(s)`);
  const trainVolumes: Awaited<ReturnType<typeof loadLabelledCase>>[] = [];
  for (const c of train) trainVolumes.push(await loadLabelledCase(dataset, c, preprocess, classes));
  const validationVolumes: Awaited<ReturnType<typeof loadLabelledCase>>[] = [];
  for (const c of validation) validationVolumes.push(await loadLabelledCase(dataset, c, preprocess, classes));
  const unlabelledVolumes: UnlabelledVolume[] = [];
  if (config.selfTrain > 0 && unlabelled.length === 0)
    log('--self-train: every training case is labelled, so there is nothing to pseudo-label');
  else if (config.selfTrain > 0) {
    const absent = reportAbsentLabels(dataset, described.tagVocabulary ?? config.tags);
    if (absent.size === 0)
      log(
        `--self-train: no reports in ${join(dataset.root, 'pairs.jsonl')}; pseudo-labels are not checked against reports`,
      );
    for (const c of unlabelled) {
      const { prepared } = await loadPreparedImage(c, preprocess);
      unlabelledVolumes.push({
        id: c.id,
        image: prepared.data,
        dims: prepared.dims,
        ...(prepared.channels ? { channels: prepared.channels } : {}),
        absentLabels: absent.get(resolve(c.images[0]!)) ?? new Set(),
      });
    }
  }
  const source = (volumes: readonly LabelledVolume[]) =>
    new PatchPool(
      volumes,
      window,
      { positiveFraction: config.positiveFraction, classBalanced: true, augment: config.augment },
      config.worker,
    );
  // A PatchPool ignores the plan and has no epoch-end work; SelfTraining uses both.
  const patches: {
    batch(count: number, seed: number, step: number, plannedSteps: number): Promise<PatchBatch>;
    atEpochEnd?(step: number): void;
    close(): Promise<void>;
  } =
    unlabelledVolumes.length > 0
      ? new SelfTraining({
          runDir,
          fraction: config.selfTrain,
          stepsPerEpoch: config.stepsPerEpoch,
          overlap: config.overlap,
          labelled: trainVolumes,
          unlabelled: unlabelledVolumes,
          model: { network, info: modelInfo },
          source,
          log,
        })
      : source(trainVolumes);
  const inputShape = (count: number) =>
    window[2] === 1
      ? [count, inChannels, window[1], window[0]]
      : [count, inChannels, window[2], window[1], window[0]];

  const saveWeights = async (name: string) => {
    const tensors: Record<string, Tensor> = {};
    for (const [k, p] of namedParameters(network)) tensors[k] = p;
    await saveSafetensors(join(runDir, name), tensors, {
      force: true,
      metadata: { format: 'mosmos-segmentation', ...(runId === undefined ? {} : { runId }) },
    });
  };
  const validate = (epoch: number): ValidationResult =>
    validateSegmentation({ network, info: modelInfo }, validationVolumes, epoch, {
      overlap: config.overlap,
      postprocess,
    });

  const validations: ValidationResult[] = [];
  const outcome = await runTraining(
    {
      runDir,
      model: network,
      optimizer,
      epochs: config.epochs,
      stepsPerEpoch: config.stepsPerEpoch,
      schedule: (step, total) => polyLr(config.lr, step, total),
      valEvery: validationVolumes.length > 0 ? config.valEvery : 0,
      timeBudgetMinutes: config.timeBudget > 0 ? config.timeBudget : undefined,
      maxSteps: config.maxSteps,
      resume: config.resume,
      log,
      progressStream: runtime.progressStream,
      stop: runtime.stop,
    },
    {
      loadBatch: (step, plannedSteps) => patches.batch(config.batch, config.seed, step, plannedSteps),
      trainStep: (batch) =>
        tidy((): StepFigures => {
          const outputs = segmentationOutputs(network, tensor(batch.images, inputShape(config.batch)), true);
          if (regions) {
            const { loss, dice, bce } = deepSupervisionRegionLoss(outputs, batch.labels, regions);
            applyGradients(loss, optimizer, config.clipNorm);
            return { loss: loss.item(), dice: dice.item(), bce: bce.item() };
          }
          const { loss, dice, crossEntropy } = deepSupervisionLoss(outputs, batch.labels);
          applyGradients(loss, optimizer, config.clipNorm);
          return { loss: loss.item(), dice: dice.item(), ce: crossEntropy.item() };
        }),
      validate: (epoch) => {
        const v = validate(epoch);
        validations.push(v);
        return { type: 'validation', ...v };
      },
      onEpochEnd: async ({ epoch, step, validation: v }) => {
        patches.atEpochEnd?.(step);
        if (!v) return;
        const meanDice = v.meanDice as number;
        const improved = bestDice === null || meanDice > bestDice;
        if (improved) {
          bestDice = meanDice;
          await saveWeights('best.safetensors');
        }
        log(`epoch ${epoch}: validation mean Dice ${meanDice.toFixed(4)}${improved ? ' (best)' : ''}`);
      },
      onCheckpoint: () => saveWeights('last.safetensors'),
    },
  ).finally(() => patches.close());
  const result: FinetuneResult = {
    runDir,
    steps: outcome.steps,
    plannedSteps: outcome.plannedSteps,
    msPerStep: outcome.msPerStep,
    interrupted: outcome.interrupted,
    epochLosses: outcome.epochLosses,
    validation: validations,
    bestDice,
    splits,
  };
  // A run stopped before any validation still leaves usable weights.
  if (modelInfo.weights === 'best.safetensors' && bestDice === null) {
    modelInfo.weights = 'last.safetensors';
    writeFileAtomic(join(runDir, MODEL_INFO_FILE), `${JSON.stringify(modelInfo, null, 2)}\n`, {
      force: true,
    });
  } else if (bestDice !== null && modelInfo.weights !== 'best.safetensors') {
    modelInfo.weights = 'best.safetensors';
    writeFileAtomic(join(runDir, MODEL_INFO_FILE), `${JSON.stringify(modelInfo, null, 2)}\n`, {
      force: true,
    });
  }
  result.bestDice = bestDice;
  return result;
}

export type { SegmentationNetwork, ValidationResult };
