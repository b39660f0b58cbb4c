/**
 * MOSMOS pre-training (DESIGN.md §1): symmetric InfoNCE between global image embeddings and report
 * embeddings plus λ × multi-label recognition of organ tags (max-pooled over slices for 2D), with
 * validation, checkpoints every epoch and on Ctrl-C, and exact resume.
 * @example await pretrain({ ...defaultPretrainConfig, pairs: 'pairs.jsonl', out: 'runs/pre' })
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PreparePool } from '../data/prepare-pool.js';
import type { PreparedVolume } from '../data/volume-cache.js';
import {
  AdamW,
  add,
  mean,
  mul,
  type ParamGroup,
  reshape,
  seed,
  tensor,
  tidy,
  warmupCosine,
} from '../engine/index.js';
import { InputError } from '../errors.js';
import { namedParameters } from '../nn/module.js';
import { MosmosModel, type ReportEncoder } from '../nn/mosmos-model.js';
import { textEncoderPresets } from '../nn/text-encoder.js';
import { getVocabulary } from '../report/vocabularies.js';
import { trainWordPiece, WordPieceTokenizer } from '../report/wordpiece.js';
import { applyGradients } from './apply-gradients.js';
import { resumedConfig } from './checkpoint.js';
import { asymmetricLoss, maskedBce, maxOverSlices, symmetricInfoNce } from './losses.js';
import type { PretrainConfig } from './pretrain-config.js';
import { vitSettings } from './pretrain-config.js';
import {
  epochOrder,
  type ImageBatch,
  loadTrainingPairs,
  patchBatch,
  shuffleSentences,
  sliceBatch,
  splitPairs,
  stepRng,
  type TrainingPair,
  tokenBatch,
} from './pretrain-data.js';
import { formatValidation, type ValidationMetrics, validate } from './pretrain-validate.js';
import type { ProgressStream } from './progress.js';
import { createRunFolder, dataFingerprint } from './run-record.js';
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
    },
    encoder,
  );
  return { model, tokenizer };
}

/** No weight decay on biases, norms, embeddings' position tables of rank ≤ 1 and the temperature. */
function parameterGroups(model: MosmosModel): ParamGroup[] {
  const params = namedParameters(model).map(([, p]) => p);
  return [
    { params: params.filter((p) => p.rank > 1) },
    { params: params.filter((p) => p.rank <= 1), weightDecay: 0 },
  ];
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
      config: { ...config, pairs: resolve(config.pairs), out: runDir },
    },
    { resume: config.resume, force: config.force },
  );
  mkdirSync(runDir, { recursive: true });

  const corpus = [...split.train.map((i) => pairs[i]!.report), ...prompts];
  const { model, tokenizer } = await buildPretrainModel(config, runDir, corpus, tagNames, runtime);
  const promptTokens = tokenBatch(tokenizer, prompts, Math.min(16, config.maxTokens));
  const optimizer = new AdamW(parameterGroups(model), { lr: config.lr, weightDecay: config.weightDecay });
  const batchesPerEpoch = Math.floor(split.train.length / config.batch) || 1;
  const batchSize = Math.min(config.batch, split.train.length);
  const totalSteps = config.epochs * batchesPerEpoch;
  const schedule = warmupCosine({
    lr: config.lr,
    warmupSteps: config.warmupSteps ?? Math.max(1, Math.round(0.05 * totalSteps)),
    totalSteps,
  });

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
  const is2d = config.arch === 'unet2d';
  const patchSize = vitSettings(config.vit).imageSize.slice().reverse() as [number, number, number];
  const makeImages = (volumes: PreparedVolume[], rng?: ReturnType<typeof stepRng>): ImageBatch =>
    is2d
      ? sliceBatch(
          volumes,
          config.slicesPerVolume,
          config.sliceSize,
          rng,
          config.augment && rng !== undefined,
        )
      : patchBatch(volumes, patchSize, rng, config.augment && rng !== undefined);

  const result: PretrainResult = { runDir, validation: [], steps: 0, interrupted: false, skipped };
  const validationInputs = async () => {
    const chunk = Math.max(1, config.batch);
    const images: ImageBatch[] = [];
    const reports = [];
    for (let i = 0; i < split.validation.length; i += chunk) {
      const idx = split.validation.slice(i, i + chunk);
      images.push(makeImages(await Promise.all(idx.map((j) => load(pairs[j]!)))));
      reports.push(
        tokenBatch(
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
      slicesPerVolume: config.slicesPerVolume,
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
        schedule: (step) => schedule(step),
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
  makeImages: (volumes: PreparedVolume[], rng?: ReturnType<typeof stepRng>) => ImageBatch;
  tokenizer: WordPieceTokenizer;
  promptTokens: ReturnType<typeof tokenBatch>;
  tagCount: number;
}

/**
 * One pre-training step: InfoNCE between image and report embeddings (slice embeddings averaged per
 * volume in 2D) plus λ × multi-label recognition (slice logits max-pooled per volume in 2D).
 */
export function pretrainStep(
  model: MosmosModel,
  optimizer: AdamW,
  config: PretrainConfig,
  inputs: PretrainStepInputs,
): { loss: number; contrastive: number; mlr: number } {
  const { idx, pairs, rng, tokenizer, promptTokens, tagCount } = inputs;
  const is2d = config.arch === 'unet2d';
  const images = inputs.makeImages(inputs.volumes, rng);
  const texts = idx.map((j) => pairs[j]!.report);
  const reports = tokenBatch(
    tokenizer,
    config.shuffleSentences ? texts.map((t) => shuffleSentences(t, rng)) : texts,
    config.maxTokens,
  );
  const targets = new Float32Array(idx.length * tagCount);
  for (const [r, j] of idx.entries()) targets.set(pairs[j]!.targets, r * tagCount);
  return tidy(() => {
    const enc = model.encodeImage(tensor(images.data, images.shape), true);
    const global = is2d ? mean(reshape(enc.global, [idx.length, config.slicesPerVolume, -1]), 1) : enc.global;
    const contrastive = symmetricInfoNce(global, model.encodeText(reports, true), model.scale());
    const raw = model.recognise(enc.features, model.tagQueries(promptTokens, true)).logits;
    const logits = is2d ? maxOverSlices(raw, idx.length) : raw;
    const mlr = config.mlrLoss === 'asl' ? asymmetricLoss(logits, targets) : maskedBce(logits, targets);
    const loss = add(contrastive, mul(mlr, config.lambda));
    applyGradients(loss, optimizer, config.clipNorm);
    return { loss: loss.item(), contrastive: contrastive.item(), mlr: mlr.item() };
  });
}
