/**
 * MOSMOS fine-tuning (DESIGN.md §1): a 2D U-Net or UNETR, optionally starting from a pre-training
 * run's encoder and tag queries, with pixel-tag attention maps at every decoder stage (switchable
 * for the ablation), trained with Dice + CE on fg/bg-balanced patches, validated by sliding-window
 * Dice per organ, with best/last weights, checkpoints, exact resume, run.json, metrics.jsonl,
 * splits.json and model.json (everything `mosmos segment` needs).
 * @example await finetune({ ...defaultFinetuneConfig, data: 'phantom', out: 'runs/ft', attentionMaps: false })
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { filterByModality, openDataset } from '../data/dataset.js';
import { PatchSampler } from '../data/patch-sampler.js';
import { defaultPreprocess, type PreprocessSettings } from '../data/preprocess.js';
import {
  AdamW,
  getRng,
  type ParamGroup,
  saveSafetensors,
  seed,
  type Tensor,
  tensor,
  tidy,
  warmupCosine,
} from '../engine/index.js';
import { InputError } from '../errors.js';
import { segmentPrepared } from '../infer/segment.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { diceScore } from '../metrics/index.js';
import { namedParameters } from '../nn/module.js';
import {
  buildSegmentationNetwork,
  type SegmentationNetwork,
  type SegmentationNetworkConfig,
  segmentationLogits,
} from '../nn/segmentation-network.js';
import { getVocabulary } from '../report/vocabularies.js';
import { applyGradients } from './apply-gradients.js';
import { loadCheckpoint, resumedConfig, saveCheckpoint, type TrainingPosition } from './checkpoint.js';
import { type FinetuneConfig, MODEL_INFO_FILE, type SegmentationModelInfo } from './finetune-config.js';
import { finetuneSplits, loadLabelledCase } from './finetune-data.js';
import type { PretrainRuntime } from './pretrain.js';
import { vitSettings } from './pretrain-config.js';
import { stepRng } from './pretrain-data.js';
import { initializeFromPretrained, type PretrainedParts, readPretrainedParts } from './pretrained-encoder.js';
import { createProgress, type ProgressStream } from './progress.js';
import { appendMetrics, createRunFolder, readMetrics } from './run-record.js';
import { diceCeLoss } from './segmentation-losses.js';
import { installStopSignal, type StopSignal } from './stop-signal.js';

export interface FinetuneRuntime {
  argv?: string[];
  progressStream?: ProgressStream;
  log?: (line: string) => void;
  stop?: StopSignal;
  /** Loads a BERT text encoder when the pre-training run used one. */
  loadTextEncoder?: PretrainRuntime['loadTextEncoder'];
}

export interface ValidationResult {
  epoch: number;
  /** Mean Dice over validation cases, per organ name. */
  perOrgan: Record<string, number>;
  meanDice: number;
}

export interface FinetuneResult {
  runDir: string;
  steps: number;
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

/** The network configuration a fine-tuning run implies (from the pre-training run when given). */
function networkConfig(
  config: FinetuneConfig,
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
  if (config.arch === 'unet2d')
    return {
      network: {
        arch: 'unet2d',
        inChannels: 1,
        classes,
        widths: pretrained?.config.widths ?? config.widths,
        attention,
      },
      tags,
      tagVocabulary,
    };
  return {
    network: {
      arch: 'unetr',
      inChannels: 1,
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
  if (config.arch === 'unet2d' && config.patch.some((p) => !(Number.isInteger(p) && p > 0)))
    throw new InputError(`--patch must be positive integers, got ${config.patch.join(',')}`);
  let dataset = openDataset(config.data, config.format);
  if (config.modality) dataset = filterByModality(dataset, config.modality);
  const labelValues = Object.keys(dataset.labels).map(Number);
  const classes = Math.max(...labelValues) + 1;
  if (classes < 2 || classes > 255)
    throw new InputError(`${config.data}: need 1 to 254 organ labels, found ${classes - 1}`);
  const { splits, train, validation } = finetuneSplits(dataset, config.labelFraction, config.seed, {
    labelledCases: config.labelledCases,
    splitSeed: config.splitSeed,
  });

  const pretrained = config.pretrained
    ? await readPretrainedParts(resolve(config.pretrained), runtime)
    : null;
  if (pretrained && pretrained.config.arch !== config.arch)
    throw new InputError(
      `${config.pretrained}: pre-trained for --arch ${pretrained.config.arch}, not ${config.arch}`,
    );
  const preprocess: PreprocessSettings =
    config.preprocess ?? pretrained?.config.preprocess ?? defaultPreprocess;
  const described = networkConfig(config, classes, pretrained);
  const window = windowOf(described.network, config);
  if (described.network.arch === 'unet2d') {
    const reduction = 2 ** (described.network.widths.length - 1);
    if (window[0] % reduction !== 0 || window[1] % reduction !== 0)
      throw new InputError(
        `--patch ${config.patch.join(',')} must be divisible by ${reduction} for this U-Net`,
      );
  }

  createRunFolder(
    runDir,
    {
      command: 'finetune',
      argv: runtime.argv ?? [],
      seed: config.seed,
      dataFingerprint: filesFingerprint([...train, ...validation].flatMap((c) => [...c.images, c.label!])),
      config: { ...config, data: resolve(config.data), out: runDir, preprocess },
    },
    { resume: config.resume, force: config.force },
  );
  writeFileAtomic(join(runDir, 'splits.json'), `${JSON.stringify(splits, null, 2)}\n`, { force: true });
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
    tags: described.tags,
    tagVocabulary: described.tagVocabulary,
    weights: validation.length > 0 ? 'best.safetensors' : 'last.safetensors',
  };
  writeFileAtomic(join(runDir, MODEL_INFO_FILE), `${JSON.stringify(modelInfo, null, 2)}\n`, { force: true });

  seed(config.seed);
  const network = buildSegmentationNetwork(described.network);
  if (pretrained) initializeFromPretrained(network, pretrained);
  if (config.freezeTags && network.attention) network.attention.freeze();
  const optimizer = new AdamW(parameterGroups(network), { lr: config.lr, weightDecay: config.weightDecay });
  const totalSteps = config.epochs * config.stepsPerEpoch;
  const schedule = warmupCosine({
    lr: config.lr,
    warmupSteps: Math.max(1, Math.round(0.05 * totalSteps)),
    totalSteps,
  });
  let position: TrainingPosition = { epoch: 0, batchInEpoch: 0, step: 0, rngState: getRng().getState() };
  let bestDice: number | null = null;
  if (config.resume) {
    position = (await loadCheckpoint(runDir, network, optimizer)) ?? position;
    getRng().setState(position.rngState);
    for (const r of readMetrics(runDir))
      if (r.type === 'validation' && typeof r.meanDice === 'number')
        bestDice = Math.max(bestDice ?? -1, r.meanDice);
    log(`resuming at epoch ${position.epoch + 1}, batch ${position.batchInEpoch}, step ${position.step}`);
  }

  log(`loading ${train.length} training and ${validation.length} validation case(s)`);
  const trainVolumes: Awaited<ReturnType<typeof loadLabelledCase>>[] = [];
  for (const c of train) trainVolumes.push(await loadLabelledCase(dataset, c, preprocess, classes));
  const validationVolumes: Awaited<ReturnType<typeof loadLabelledCase>>[] = [];
  for (const c of validation) validationVolumes.push(await loadLabelledCase(dataset, c, preprocess, classes));
  const sampler = new PatchSampler(trainVolumes, window, {
    positiveFraction: config.positiveFraction,
    augment: config.augment,
  });
  const inputShape = (count: number) =>
    window[2] === 1 ? [count, 1, window[1], window[0]] : [count, 1, window[2], window[1], window[0]];

  const stop = runtime.stop ?? installStopSignal(log);
  const result: FinetuneResult = {
    runDir,
    steps: 0,
    interrupted: false,
    epochLosses: [],
    validation: [],
    bestDice,
    splits,
  };
  const saveWeights = async (name: string) => {
    const tensors: Record<string, Tensor> = {};
    for (const [k, p] of namedParameters(network)) tensors[k] = p;
    await saveSafetensors(join(runDir, name), tensors, {
      force: true,
      metadata: { format: 'mosmos-segmentation' },
    });
  };
  const validate = (epoch: number): ValidationResult => {
    const organs = labelValues.filter((v) => v !== 0).sort((a, b) => a - b);
    const sums = new Map<number, number>(organs.map((o) => [o, 0]));
    for (const v of validationVolumes) {
      const pred = segmentPrepared({ network, info: modelInfo }, v.image, v.dims, {
        overlap: config.overlap,
        batchSize: 32,
      });
      for (const o of organs) sums.set(o, sums.get(o)! + diceScore(pred, v.label, o));
    }
    const perOrgan: Record<string, number> = {};
    for (const o of organs) perOrgan[labels[o] ?? String(o)] = sums.get(o)! / validationVolumes.length;
    const values = Object.values(perOrgan);
    return { epoch, perOrgan, meanDice: values.reduce((a, b) => a + b, 0) / values.length };
  };

  try {
    for (let epoch = position.epoch; epoch < config.epochs; epoch++) {
      const progress = createProgress({
        total: config.stepsPerEpoch,
        label: `epoch ${epoch + 1}/${config.epochs}`,
        stream: runtime.progressStream,
      });
      let sum = 0;
      let n = 0;
      let b = epoch === position.epoch ? position.batchInEpoch : 0;
      for (; b < config.stepsPerEpoch; ) {
        const rng = stepRng(config.seed, position.step);
        const batch = sampler.batch(config.batch, () => rng.next(), position.step * config.batch);
        const lr = schedule(position.step);
        optimizer.lr = lr;
        const figures = tidy(() => {
          const logits = segmentationLogits(network, tensor(batch.images, inputShape(config.batch)), true);
          const { loss, dice, crossEntropy } = diceCeLoss(logits, batch.labels);
          applyGradients(loss, optimizer, config.clipNorm);
          return { loss: loss.item(), dice: dice.item(), ce: crossEntropy.item() };
        });
        b++;
        position = { epoch, batchInEpoch: b, step: position.step + 1, rngState: getRng().getState() };
        result.steps++;
        sum += figures.loss;
        n++;
        appendMetrics(runDir, { type: 'step', epoch: epoch + 1, step: position.step, lr, ...figures });
        progress.update(b, { loss: figures.loss, lr });
        if (stop.requested || (config.maxSteps > 0 && result.steps >= config.maxSteps)) break;
      }
      const epochDone = b >= config.stepsPerEpoch;
      if (epochDone) position = { ...position, epoch: epoch + 1, batchInEpoch: 0 };
      progress.finish(n > 0 ? { loss: sum / n } : undefined);
      if (n > 0) result.epochLosses.push(sum / n);
      await saveCheckpoint(runDir, network, optimizer, position);
      await saveWeights('last.safetensors');
      const last = epoch + 1 === config.epochs;
      if (epochDone && validationVolumes.length > 0 && ((epoch + 1) % config.valEvery === 0 || last)) {
        const v = validate(epoch + 1);
        result.validation.push(v);
        appendMetrics(runDir, {
          type: 'validation',
          ...v,
          step: position.step,
          trainLoss: n > 0 ? sum / n : null,
        });
        const improved = bestDice === null || v.meanDice > bestDice;
        if (improved) {
          bestDice = v.meanDice;
          await saveWeights('best.safetensors');
        }
        log(`epoch ${epoch + 1}: validation mean Dice ${v.meanDice.toFixed(4)}${improved ? ' (best)' : ''}`);
      } else if (epochDone)
        appendMetrics(runDir, {
          type: 'epoch',
          epoch: epoch + 1,
          step: position.step,
          trainLoss: n > 0 ? sum / n : null,
        });
      const halted = stop.requested || (config.maxSteps > 0 && result.steps >= config.maxSteps);
      if (!epochDone || (halted && epoch + 1 < config.epochs)) {
        result.interrupted = true;
        log(
          `stopped at epoch ${position.epoch + 1}, batch ${position.batchInEpoch}; checkpoint written (continue with --resume)`,
        );
        break;
      }
    }
  } finally {
    if (!runtime.stop) stop.dispose();
  }
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

export type { SegmentationNetwork };
