/**
 * MOSMOS pre-training (DESIGN.md §1): symmetric InfoNCE between global image embeddings and report
 * embeddings plus λ × multi-label recognition of organ tags and μ × the maps' own loss, both
 * max-pooled over each volume's whole bag (pretrain-bag.ts), on the fine-tuning grid, with
 * validation, checkpoints every epoch and on Ctrl-C, and exact resume.
 * @example await pretrain({ ...defaultPretrainConfig, pairs: 'pairs.jsonl', out: 'runs/pre' })
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PreparePool } from '../data/prepare-pool.js';
import { PLAN_FILE, writePlan } from '../data/resolve-plan.js';
import type { PreparedVolume } from '../data/volume-cache.js';
import { AdamW, type ParamGroup, seed, tidy, warmupCosine } from '../engine/index.js';
import { InputError } from '../errors.js';
import { namedParameters } from '../nn/module.js';
import { MosmosModel, type ReportEncoder } from '../nn/mosmos-model.js';
import { textEncoderPresets } from '../nn/text-encoder.js';
import { getVocabulary } from '../report/vocabularies.js';
import { trainWordPiece, WordPieceTokenizer } from '../report/wordpiece.js';
import { applyGradients } from './apply-gradients.js';
import { resumedConfig } from './checkpoint.js';
import {
  type BagBatch,
  type BagSettings,
  type BodyBox,
  bagBatch,
  bodyBox,
  sliceStride,
} from './pretrain-bag.js';
import type { PretrainConfig } from './pretrain-config.js';
import { vitSettings } from './pretrain-config.js';
import {
  epochOrder,
  loadTrainingPairs,
  shuffleSentences,
  splitPairs,
  stepRng,
  type TrainingPair,
  tokenBatch,
} from './pretrain-data.js';
import { type PretrainLossWeights, pretrainLosses, selectBagInstances } from './pretrain-step.js';
import { formatValidation, type ValidationMetrics, validate } from './pretrain-validate.js';
import type { ProgressStream } from './progress.js';
import { reportTokens } from './report-tokens.js';
import { appendMetrics, createRunFolder, dataFingerprint } from './run-record.js';
import type { StopSignal } from './stop-signal.js';
import { runTraining } from './training-loop.js';

export interface PretrainRuntime {
  /** Command-line arguments, recorded in run.json. */
  argv?: string[];
  /** Progress output (default stderr) and log lines (default stderr). */
  progressStream?: ProgressStream;
  log?: (line: string) => void;
  /** A stop signal (tests); default: SIGINT/SIGTERM. */
  stop?: StopSignal;
  /** Loads a user's BERT-family encoder and tokenizer from a folder. */
  loadTextEncoder?: (dir: string) => Promise<{ encoder: ReportEncoder; tokenizer: WordPieceTokenizer }>;
}

export interface PretrainResult {
  runDir: string;
  /** Validation after each epoch run in this invocation. */
  validation: { epoch: number; metrics: ValidationMetrics }[];
  steps: number;
  /** True when stopped by Ctrl-C or maxSteps before the last epoch ended. */
  interrupted: boolean;
  skipped: { line: number; reason: string }[];
}

/** Builds the model (and tokenizer) a run's configuration describes; used by training and export. */
export async function buildPretrainModel(
  config: PretrainConfig,
  runDir: string,
  corpus: string[] | null,
  tagNames: string[],
  runtime: PretrainRuntime = {},
): Promise<{ model: MosmosModel; tokenizer: WordPieceTokenizer }> {
  seed(config.seed);
  let tokenizer: WordPieceTokenizer;
  let encoder: ReportEncoder | undefined;
  if (config.textEncoder !== 'builtin') {
    if (!runtime.loadTextEncoder) throw new InputError('loading a BERT text encoder is not available here');
    ({ encoder, tokenizer } = await runtime.loadTextEncoder(config.textEncoder));
  } else {
    const vocabPath = join(runDir, 'vocab.txt');
    if (existsSync(vocabPath)) tokenizer = WordPieceTokenizer.load(vocabPath);
    else {
      if (!corpus) throw new InputError(`${vocabPath}: missing (the run's tokenizer vocabulary)`);
      tokenizer = new WordPieceTokenizer(trainWordPiece(corpus, { vocabSize: config.vocabSize }));
      tokenizer.save(vocabPath);
    }
  }
  const preset = textEncoderPresets[config.textPreset];
  const model = new MosmosModel(
    {
      arch: config.arch,
      inChannels: 1,
      widths: config.widths,
      vit: vitSettings(config.vit),
      text: { ...preset, vocabSize: tokenizer.size, maxLength: Math.max(preset.maxLength, config.maxTokens) },
      embedDim: config.embedDim,
      tags: tagNames,
      tau: config.tau,
      decoderLayers: config.decoderLayers,
      decoderHeads: config.decoderHeads,
    },
    encoder,
  );
  return { model, tokenizer };
}

/**
 * No weight decay on biases, norms and the temperature (rank ≤ 1). A loaded BERT is trained gently:
 * frozen when `textLrScale` is 0 (its parameters leave the optimizer and stop taking gradients), else
 * at that fraction of the learning rate.
 */
export function parameterGroups(
  model: MosmosModel,
  config: Pick<PretrainConfig, 'textEncoder' | 'textLrScale'>,
): ParamGroup[] {
  const loaded = config.textEncoder !== 'builtin';
  const text = new Set(loaded ? namedParameters(model.textEncoder).map(([, p]) => p) : []);
  if (loaded && config.textLrScale <= 0) for (const p of text) p.requiresGrad = false;
  const params = namedParameters(model)
    .map(([, p]) => p)
    .filter((p) => !text.has(p));
  const groups: ParamGroup[] = [
    { params: params.filter((p) => p.rank > 1) },
    { params: params.filter((p) => p.rank <= 1), weightDecay: 0 },
  ];
  if (loaded && config.textLrScale > 0) groups.push({ params: [...text], lrScale: config.textLrScale });
  return groups;
}

/** The loss weights of a run's configuration. */
export function lossWeights(config: PretrainConfig): PretrainLossWeights {
  return {
    lambda: config.lambda,
    mapLambda: config.mapLambda,
    mlrLoss: config.mlrLoss,
    asl: {
      gammaPositive: config.aslGammaPositive,
      gammaNegative: config.aslGammaNegative,
      margin: config.aslMargin,
    },
  };
}

/** The bag geometry of a run: the fine-tuning patch (2D) or the ViT's patch (3D), and the slice stride. */
export function bagSettings(config: PretrainConfig): BagSettings {
  if (config.arch === 'unet2d')
    return { patch: config.patch, stride: sliceStride(config.bagStrideMm, config.preprocess.spacing[2]) };
  const [d, h, w] = vitSettings(config.vit).imageSize;
  return { patch: [w, h, d], stride: 1 };
}

export async function pretrain(
  config: PretrainConfig,
  runtime: PretrainRuntime = {},
): Promise<PretrainResult> {
  const log = runtime.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runDir = resolve(config.out);
  if (config.resume) config = resumedConfig(runDir, config);
  const vocabulary = getVocabulary(config.tags);
  const { pairs, skipped, tagNames, prompts } = loadTrainingPairs(config.pairs, vocabulary, {
    skipBad: config.skipBad,
    alwaysImaged: config.alwaysImaged,
  });
  if (skipped.length > 0)
    log(
      `skipped ${skipped.length} bad pair line(s): ${skipped
        .slice(0, 3)
        .map((s) => `line ${s.line}: ${s.reason}`)
        .join('; ')}`,
    );
  const split = splitPairs(pairs.length, config.validationFraction, config.seed);
  if (split.train.length < 2)
    throw new InputError(`${config.pairs}: need at least 2 training pairs, found ${split.train.length}`);
  createRunFolder(
    runDir,
    {
      command: 'pretrain',
      argv: runtime.argv ?? [],
      seed: config.seed,
      dataFingerprint: dataFingerprint(
        config.pairs,
        pairs.map((p) => p.image),
      ),
      config: { ...config, plan: undefined, pairs: resolve(config.pairs), out: runDir },
    },
    { resume: config.resume, force: config.force },
  );
  mkdirSync(runDir, { recursive: true });
  if (config.plan) writePlan(join(runDir, PLAN_FILE), config.plan, { force: true });

  const corpus = [...split.train.map((i) => pairs[i]!.report), ...prompts];
  const { model, tokenizer } = await buildPretrainModel(config, runDir, corpus, tagNames, runtime);
  const promptTokens = tokenBatch(tokenizer, prompts, Math.min(16, config.maxTokens));
  const optimizer = new AdamW(parameterGroups(model, config), {
    lr: config.lr,
    weightDecay: config.weightDecay,
  });
  // Whole reports: how many need sentence chunks, and whether anything at all is cut.
  const reportCheck = reportTokens(
    tokenizer,
    pairs.map((p) => p.report),
    config.maxTokens,
  );
  if (!config.resume)
    appendMetrics(runDir, {
      type: 'reports',
      reports: reportCheck.reports,
      longestTokens: reportCheck.longest,
      chunked: reportCheck.chunked,
      truncatedSentences: reportCheck.truncated,
      maxTokens: config.maxTokens,
    });
  log(
    `reports: ${reportCheck.reports}, longest ${reportCheck.longest} tokens; ${reportCheck.chunked} encoded in sentence chunks of ≤ ${config.maxTokens}; ${reportCheck.truncated} sentence(s) truncated`,
  );
  const batchesPerEpoch = Math.floor(split.train.length / config.batch) || 1;
  const batchSize = Math.min(config.batch, split.train.length);
  // Warm-up and cosine over the planned total (epochs × batches, or what a time budget planned).
  const schedule = (step: number, totalSteps: number) =>
    warmupCosine({
      lr: config.lr,
      warmupSteps: config.warmupSteps ?? Math.max(1, Math.round(0.05 * totalSteps)),
      totalSteps,
    })(step);

  const pool = new PreparePool(config.preprocess, config.cacheDir ?? join(runDir, 'cache'), config.worker);
  const volumeMemo = new Map<string, Promise<PreparedVolume>>();
  const load = (p: TrainingPair) => {
    let v = volumeMemo.get(p.image);
    if (!v) {
      v = pool.prepare(p.image);
      volumeMemo.set(p.image, v);
    }
    return v;
  };
  const bag = bagSettings(config);
  const boxes = new WeakMap<PreparedVolume, BodyBox>();
  const boxOf = (v: PreparedVolume) => {
    let box = boxes.get(v);
    if (!box) {
      box = bodyBox(v.data, v.dims);
      boxes.set(v, box);
    }
    return box;
  };
  const makeImages = (volumes: PreparedVolume[], rng?: ReturnType<typeof stepRng>): BagBatch =>
    bagBatch(volumes, bag, rng, config.augment && rng !== undefined, volumes.map(boxOf));

  const result: PretrainResult = { runDir, validation: [], steps: 0, interrupted: false, skipped };
  const validationInputs = async () => {
    const chunk = Math.max(1, config.batch);
    const images: BagBatch[] = [];
    const reports = [];
    for (let i = 0; i < split.validation.length; i += chunk) {
      const idx = split.validation.slice(i, i + chunk);
      images.push(makeImages(await Promise.all(idx.map((j) => load(pairs[j]!)))));
      reports.push(
        reportTokens(
          tokenizer,
          idx.map((j) => pairs[j]!.report),
          config.maxTokens,
        ),
      );
    }
    const k = tagNames.length;
    const targets = new Float32Array(split.validation.length * k);
    for (const [r, j] of split.validation.entries()) targets.set(pairs[j]!.targets, r * k);
    return {
      images,
      reports,
      targets,
      prompts: promptTokens,
      tagNames,
    };
  };

  /** The pairs of global step `step`: the epoch's seeded order, cut into batches. */
  const batchPairs = (step: number) => {
    const epoch = Math.floor(step / batchesPerEpoch);
    const b = step - epoch * batchesPerEpoch;
    return epochOrder(split.train, config.seed, epoch).slice(b * batchSize, (b + 1) * batchSize);
  };
  try {
    const outcome = await runTraining(
      {
        runDir,
        model,
        optimizer,
        epochs: config.epochs,
        stepsPerEpoch: batchesPerEpoch,
        schedule,
        timeBudgetMinutes: config.timeBudget > 0 ? config.timeBudget : undefined,
        valEvery: split.validation.length > 0 ? 1 : 0,
        maxSteps: config.maxSteps,
        resume: config.resume,
        log,
        progressStream: runtime.progressStream,
        stop: runtime.stop,
      },
      {
        loadBatch: async (step) => {
          const idx = batchPairs(step);
          return { idx, volumes: await Promise.all(idx.map((j) => load(pairs[j]!))) };
        },
        trainStep: ({ idx, volumes }, step) =>
          pretrainStep(model, optimizer, config, {
            idx,
            pairs,
            volumes,
            rng: stepRng(config.seed, step),
            makeImages,
            tokenizer,
            promptTokens,
            tagCount: tagNames.length,
          }),
        stepExtras: () => ({ temperature: model.logitScale.temperature }),
        validate: async (epoch) => {
          const metrics = validate(model, await validationInputs());
          result.validation.push({ epoch, metrics });
          log(`epoch ${epoch}: ${formatValidation(metrics)}`);
          return {
            retrieval: metrics.retrieval,
            tagMap: metrics.tags.mAP,
            tagAuroc: metrics.tags.meanAuroc,
            perTag: metrics.tags.perTag,
          };
        },
      },
    );
    result.steps = outcome.steps;
    result.interrupted = outcome.interrupted;
  } finally {
    await pool.close();
  }
  return result;
}

/** What one pre-training step needs besides the model and optimizer. */
interface PretrainStepInputs {
  /** Indices into `pairs` of this batch, and their prepared volumes. */
  idx: number[];
  pairs: TrainingPair[];
  volumes: PreparedVolume[];
  rng: ReturnType<typeof stepRng>;
  makeImages: (volumes: PreparedVolume[], rng?: ReturnType<typeof stepRng>) => BagBatch;
  tokenizer: WordPieceTokenizer;
  promptTokens: ReturnType<typeof tokenBatch>;
  tagCount: number;
}

/**
 * One pre-training step on whole-volume bags: the bags' argmax instances are found without
 * gradients (`bagGradient: 'argmax'`), then InfoNCE + λ·MLR + μ·maps (pretrain-step.ts) is taken on them.
 */
export function pretrainStep(
  model: MosmosModel,
  optimizer: AdamW,
  config: PretrainConfig,
  inputs: PretrainStepInputs,
): {
  loss: number;
  contrastive: number;
  mlr: number;
  maps: number;
  instances: number;
  trained: number;
  truncated: number;
} {
  const { idx, pairs, rng, tokenizer, promptTokens, tagCount } = inputs;
  const images = inputs.makeImages(inputs.volumes, rng);
  const texts = idx.map((j) => pairs[j]!.report);
  const reports = reportTokens(
    tokenizer,
    config.shuffleSentences ? texts.map((t) => shuffleSentences(t, rng)) : texts,
    config.maxTokens,
  );
  const targets = new Float32Array(idx.length * tagCount);
  for (const [r, j] of idx.entries()) targets.set(pairs[j]!.targets, r * tagCount);
  const weights = lossWeights(config);
  const selected =
    config.bagGradient === 'argmax'
      ? selectBagInstances(model, images, promptTokens, weights, rng)
      : { images, rest: undefined };
  return tidy(() => {
    const l = pretrainLosses(
      model,
      { images: selected.images, reports, targets, rest: selected.rest },
      promptTokens,
      weights,
      true,
    );
    applyGradients(l.loss, optimizer, config.clipNorm);
    return {
      loss: l.loss.item(),
      contrastive: l.contrastive.item(),
      mlr: l.mlr?.item() ?? 0,
      maps: l.maps?.item() ?? 0,
      instances: images.owner.length,
      trained: selected.images.owner.length,
      truncated: reports.truncated,
    };
  });
}
