/**
 * MOSMOS pre-training (DESIGN.md §1): symmetric InfoNCE between global image embeddings and report
 * embeddings plus λ × multi-label recognition of organ tags and μ × the maps' own loss, both
 * max-pooled over each volume's whole bag (pretrain-bag.ts), on the fine-tuning grid, with
 * validation, checkpoints every epoch and on Ctrl-C, and exact resume.
 * @example await pretrain({ ...defaultPretrainConfig, pairs: 'pairs.jsonl', out: 'runs/pre' })
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prefetch } from '../data/prefetch.js';
import { PreparePool } from '../data/prepare-pool.js';
import type { PreparedVolume } from '../data/volume-cache.js';
import { AdamW, getRng, type ParamGroup, seed, tidy, warmupCosine } from '../engine/index.js';
import { InputError } from '../errors.js';
import { namedParameters } from '../nn/module.js';
import { MosmosModel, type ReportEncoder } from '../nn/mosmos-model.js';
import { textEncoderPresets } from '../nn/text-encoder.js';
import { getVocabulary } from '../report/vocabularies.js';
import { trainWordPiece, WordPieceTokenizer } from '../report/wordpiece.js';
import { applyGradients } from './apply-gradients.js';
import { loadCheckpoint, resumedConfig, saveCheckpoint, type TrainingPosition } from './checkpoint.js';
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
import { createProgress, type ProgressStream } from './progress.js';
import { reportTokens } from './report-tokens.js';
import { appendMetrics, createRunFolder, dataFingerprint } from './run-record.js';
import { installStopSignal, type StopSignal } from './stop-signal.js';

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
      config: { ...config, pairs: resolve(config.pairs), out: runDir },
    },
    { resume: config.resume, force: config.force },
  );
  mkdirSync(runDir, { recursive: true });

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
  const textSummary = {
    type: 'reports',
    reports: reportCheck.reports,
    longestTokens: reportCheck.longest,
    chunked: reportCheck.chunked,
    truncatedSentences: reportCheck.truncated,
    maxTokens: config.maxTokens,
  };
  if (!config.resume) appendMetrics(runDir, textSummary);
  log(
    `reports: ${reportCheck.reports}, longest ${reportCheck.longest} tokens; ${reportCheck.chunked} encoded in sentence chunks of ≤ ${config.maxTokens}; ${reportCheck.truncated} sentence(s) truncated`,
  );
  const batchesPerEpoch = Math.floor(split.train.length / config.batch) || 1;
  const batchSize = Math.min(config.batch, split.train.length);
  const totalSteps = config.epochs * batchesPerEpoch;
  const schedule = warmupCosine({
    lr: config.lr,
    warmupSteps: config.warmupSteps ?? Math.max(1, Math.round(0.05 * totalSteps)),
    totalSteps,
  });
  let position: TrainingPosition = { epoch: 0, batchInEpoch: 0, step: 0, rngState: getRng().getState() };
  if (config.resume) {
    position = (await loadCheckpoint(runDir, model, optimizer)) ?? position;
    getRng().setState(position.rngState);
    log(`resuming at epoch ${position.epoch + 1}, batch ${position.batchInEpoch}, step ${position.step}`);
  }

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
  const weights = lossWeights(config);

  const stop = runtime.stop ?? installStopSignal(log);
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

  try {
    for (let epoch = position.epoch; epoch < config.epochs; epoch++) {
      const order = epochOrder(split.train, config.seed, epoch);
      const first = epoch === position.epoch ? position.batchInEpoch : 0;
      const batches = Array.from({ length: batchesPerEpoch - first }, (_, b) =>
        order.slice((first + b) * batchSize, (first + b + 1) * batchSize),
      );
      const progress = createProgress({
        total: batchesPerEpoch,
        label: `epoch ${epoch + 1}/${config.epochs}`,
        stream: runtime.progressStream,
      });
      const loads = batches.map((idx) => async () => Promise.all(idx.map((j) => load(pairs[j]!))));
      let b = first;
      let sums = { loss: 0, contrastive: 0, mlr: 0, maps: 0, n: 0 };
      for await (const volumes of prefetch(loads, 2)) {
        const idx = batches[b - first]!;
        const rng = stepRng(config.seed, position.step);
        const images = makeImages(volumes, rng);
        const texts = idx.map((j) => pairs[j]!.report);
        const reports = reportTokens(
          tokenizer,
          config.shuffleSentences ? texts.map((t) => shuffleSentences(t, rng)) : texts,
          config.maxTokens,
        );
        const targets = new Float32Array(idx.length * tagNames.length);
        for (const [r, j] of idx.entries()) targets.set(pairs[j]!.targets, r * tagNames.length);
        const lr = schedule(position.step);
        optimizer.lr = lr;
        const selected =
          config.bagGradient === 'argmax'
            ? selectBagInstances(model, images, promptTokens, weights, rng)
            : { images, rest: undefined };
        const figures = tidy(() => {
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
            instances: images.sizes.reduce((a, c) => a + c, 0),
            trained: selected.images.owner.length,
            truncated: reports.truncated,
          };
        });
        b++;
        position = { epoch, batchInEpoch: b, step: position.step + 1, rngState: getRng().getState() };
        result.steps++;
        sums = {
          loss: sums.loss + figures.loss,
          contrastive: sums.contrastive + figures.contrastive,
          mlr: sums.mlr + figures.mlr,
          maps: sums.maps + figures.maps,
          n: sums.n + 1,
        };
        const temperature = model.logitScale.temperature;
        appendMetrics(runDir, {
          type: 'step',
          epoch: epoch + 1,
          step: position.step,
          lr,
          temperature,
          ...figures,
        });
        progress.update(b, { loss: figures.loss, lr });
        if (stop.requested || (config.maxSteps > 0 && result.steps >= config.maxSteps)) break;
      }
      const epochDone = b >= batchesPerEpoch;
      if (epochDone) position = { ...position, epoch: epoch + 1, batchInEpoch: 0 };
      progress.finish(sums.n > 0 ? { loss: sums.loss / sums.n } : undefined);
      if (epochDone && split.validation.length > 0) {
        const metrics = validate(model, await validationInputs());
        result.validation.push({ epoch: epoch + 1, metrics });
        log(`epoch ${epoch + 1}: ${formatValidation(metrics)}`);
        appendMetrics(runDir, {
          type: 'epoch',
          epoch: epoch + 1,
          step: position.step,
          trainLoss: sums.n > 0 ? sums.loss / sums.n : null,
          trainContrastive: sums.n > 0 ? sums.contrastive / sums.n : null,
          trainMlr: sums.n > 0 ? sums.mlr / sums.n : null,
          trainMaps: sums.n > 0 ? sums.maps / sums.n : null,
          retrieval: metrics.retrieval,
          tagMap: metrics.tags.mAP,
          tagAuroc: metrics.tags.meanAuroc,
          perTag: metrics.tags.perTag,
        });
      }
      await saveCheckpoint(runDir, model, optimizer, position);
      const halted = stop.requested || (config.maxSteps > 0 && result.steps >= config.maxSteps);
      if (!epochDone || (halted && epoch + 1 < config.epochs)) {
        result.interrupted = true;
        log(
          `stopped at epoch ${position.epoch + 1}, batch ${position.batchInEpoch}; checkpoint written (continue with --resume)`,
        );
        break;
      }
    }
  } catch (error) {
    // A failure mid-epoch (e.g. an image that cannot be read) keeps the steps already taken.
    if (position.batchInEpoch > 0) {
      await saveCheckpoint(runDir, model, optimizer, position);
      log(
        `checkpoint written at epoch ${position.epoch + 1}, batch ${position.batchInEpoch} before stopping`,
      );
    }
    throw error;
  } finally {
    if (!runtime.stop) stop.dispose();
    await pool.close();
  }
  return result;
}
