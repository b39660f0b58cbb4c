/**
 * Step-for-step parity with PyTorch (issue #10 §3): the product's 2D U-Net (residual blocks,
 * instance norm, leaky ReLU, deep supervision heads, as `finetune` builds it) trained with the
 * product's recipe (Dice + CE with deep supervision, AdamW with decay on weights only, poly learning
 * rate, gradient clipping) in mosmos and in PyTorch (bench/parity_torch.py, Debian's python3-torch,
 * a reference only), from the same initial weights (mosmos's initialisation exported as
 * safetensors) on the same fixed sequence of batches (drawn once with mosmos's sampler, augmentation
 * included, and saved). PyTorch's final weights come back as safetensors and both models segment the
 * same held-out phantom cases with mosmos's sliding window, so the Dice comparison isolates training.
 * Nothing here is random after the batches are drawn: the U-Net has no dropout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dataset, openDataset } from '../data/dataset.js';
import { PatchSampler, patchStepRng } from '../data/patch-sampler.js';
import type { PreprocessSettings } from '../data/preprocess.js';
import {
  AdamW,
  type ParamGroup,
  polyLr,
  seed as seedEngine,
  type Tensor,
  tensor,
  tidy,
} from '../engine/index.js';
import { decodeSafetensors, entryToTensor, saveSafetensors } from '../engine/safetensors.js';
import type { SegmentationModelInfo } from '../infer/model-description.js';
import { segmentPrepared } from '../infer/segment.js';
import { diceScore, nanMean } from '../metrics/dice.js';
import { namedParameters } from '../nn/module.js';
import { UNet2d } from '../nn/unet2d.js';
import { writePhantomDataset } from '../phantom/dataset.js';
import { applyGradients } from './apply-gradients.js';
import { loadLabelledCase } from './finetune-data.js';
import { deepSupervisionLoss } from './segmentation-losses.js';

export interface ParityOptions {
  /** Work folder: the phantom cohort, batches, weights and curves are written here. */
  dir: string;
  steps: number;
  batch: number;
  /** In-plane patch (square), divisible by 2^(stages − 1). */
  patch: number;
  widths: number[];
  lr: number;
  weightDecay: number;
  clipNorm: number;
  /** Phantom cohort: training and held-out cases, matrix size, model spacing. */
  trainCases: number;
  heldOutCases: number;
  size: [number, number, number];
  spacing: [number, number, number];
  seed: number;
  /** Segment the held-out cases with both models at the end (the bench does, the test does not). */
  evaluate: boolean;
  python: string;
  log?: (line: string) => void;
}

export const defaultParityOptions: Omit<ParityOptions, 'dir'> = {
  steps: 300,
  batch: 8,
  patch: 64,
  widths: [16, 32, 64, 128],
  lr: 3e-3,
  weightDecay: 0.01,
  clipNorm: 1,
  trainCases: 12,
  heldOutCases: 4,
  size: [64, 64, 32],
  spacing: [6, 6, 8],
  seed: 7,
  evaluate: true,
  python: '/usr/bin/python3',
};

export interface ParityResult {
  steps: number;
  lossMosmos: number[];
  lossTorch: number[];
  /** max over the first 100 steps of |mosmos − torch| / |torch|. */
  maxLossRelDiffFirst100: number;
  diceMosmos?: number;
  diceTorch?: number;
  secondsMosmos: number;
  secondsTorch: number;
}

/** The reason PyTorch parity cannot run here, or false when it can. */
export function torchUnavailable(python = '/usr/bin/python3'): string | false {
  if (!existsSync(python)) return `${python} not installed`;
  return spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0
    ? false
    : `${python} has no torch (apt install python3-torch)`;
}

/** The parameter groups `finetune` gives AdamW: decay on weights (rank > 1), none on norms and biases. */
export function adamwGroups(network: object): ParamGroup[] {
  const params = namedParameters(network).map(([, p]) => p);
  return [
    { params: params.filter((p) => p.rank > 1) },
    { params: params.filter((p) => p.rank <= 1), weightDecay: 0 },
  ];
}

/** Loads safetensors weights into `network` by name (every parameter must be present). */
export function loadNamedWeights(network: object, bytes: Uint8Array, name: string): void {
  const file = decodeSafetensors(bytes, name);
  for (const [key, p] of namedParameters(network)) {
    const entry = file.tensors[key];
    if (!entry) throw new Error(`${name}: no tensor "${key}"`);
    p.assign(entryToTensor(entry));
  }
}

const classesOf = (dataset: Dataset) => Math.max(...Object.keys(dataset.labels).map(Number)) + 1;

/** Runs both sides and compares them (see the file comment). */
export async function runParity(options: ParityOptions): Promise<ParityResult> {
  const log = options.log ?? (() => {});
  mkdirSync(options.dir, { recursive: true });
  const dataDir = join(options.dir, 'phantom');
  const cases = options.trainCases + options.heldOutCases;
  if (!existsSync(join(dataDir, 'pairs.jsonl'))) {
    log(`writing ${cases} phantom cases`);
    await writePhantomDataset(dataDir, { cases, seed: options.seed, size: options.size, force: true });
  }
  const dataset = openDataset(dataDir, 'btcv');
  const classes = classesOf(dataset);
  const preprocess: PreprocessSettings = {
    spacing: options.spacing,
    intensity: { kind: 'ct', min: -175, max: 250 },
  };
  const sorted = [...dataset.cases].sort((a, b) => a.id.localeCompare(b.id));
  const volumes = [];
  for (const item of sorted) volumes.push(await loadLabelledCase(dataset, item, preprocess, classes));
  const train = volumes.slice(0, options.trainCases);
  const heldOut = volumes.slice(options.trainCases);

  // The fixed batch sequence, drawn once with the product's sampler (class-balanced, augmented).
  const p = options.patch;
  const sampler = new PatchSampler(train, [p, p, 1], {
    positiveFraction: 0.5,
    classBalanced: true,
    augment: true,
  });
  const perBatch = options.batch * p * p;
  const images = new Float32Array(options.steps * perBatch);
  const labels = new Uint8Array(options.steps * perBatch);
  for (let step = 0; step < options.steps; step++) {
    const rng = patchStepRng(options.seed, step);
    const b = sampler.batch(options.batch, () => rng.next(), step * options.batch);
    images.set(b.images, step * perBatch);
    labels.set(b.labels, step * perBatch);
  }
  writeFileSync(join(options.dir, 'images.f32'), new Uint8Array(images.buffer));
  writeFileSync(join(options.dir, 'labels.u8'), labels);

  // The same initial weights for both.
  seedEngine(options.seed);
  const network = new UNet2d({ inChannels: 1, widths: options.widths, classes, deepSupervision: true });
  const initial: Record<string, Tensor> = {};
  for (const [k, param] of namedParameters(network)) initial[k] = param;
  await saveSafetensors(join(options.dir, 'init.safetensors'), initial, { force: true });
  const meta = {
    steps: options.steps,
    batch: options.batch,
    patch: p,
    classes,
    widths: options.widths,
    lr: options.lr,
    weightDecay: options.weightDecay,
    clipNorm: options.clipNorm,
  };
  writeFileSync(join(options.dir, 'meta.json'), JSON.stringify(meta));

  log(`mosmos: ${options.steps} steps of ${options.batch}×${p}²`);
  const optimizer = new AdamW(adamwGroups(network), { lr: options.lr, weightDecay: options.weightDecay });
  const lossMosmos: number[] = [];
  let started = performance.now();
  for (let step = 0; step < options.steps; step++) {
    optimizer.lr = polyLr(options.lr, step, options.steps);
    const x = images.subarray(step * perBatch, (step + 1) * perBatch);
    const y = labels.subarray(step * perBatch, (step + 1) * perBatch);
    lossMosmos.push(
      tidy(() => {
        const outputs = network.forwardDeep(tensor(x, [options.batch, 1, p, p]), true);
        const { loss } = deepSupervisionLoss(outputs, y);
        const value = loss.item();
        applyGradients(loss, optimizer, options.clipNorm);
        return value;
      }),
    );
  }
  const secondsMosmos = (performance.now() - started) / 1000;
  writeFileSync(join(options.dir, 'losses_mosmos.json'), JSON.stringify(lossMosmos));

  log(`PyTorch: the same ${options.steps} steps`);
  started = performance.now();
  const script = new URL('../../bench/parity_torch.py', import.meta.url).pathname;
  const run = spawnSync(options.python, [script, options.dir], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'passive' },
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`parity_torch.py failed: ${run.stderr || run.stdout}`);
  const secondsTorch = (performance.now() - started) / 1000;
  const lossTorch = JSON.parse(readFileSync(join(options.dir, 'losses_torch.json'), 'utf8')) as number[];
  const first = Math.min(100, options.steps);
  let maxRel = 0;
  for (let i = 0; i < first; i++)
    maxRel = Math.max(maxRel, Math.abs(lossMosmos[i]! - lossTorch[i]!) / Math.abs(lossTorch[i]!));

  const result: ParityResult = {
    steps: options.steps,
    lossMosmos,
    lossTorch,
    maxLossRelDiffFirst100: maxRel,
    secondsMosmos,
    secondsTorch,
  };
  if (!options.evaluate) return result;

  log(`segmenting ${heldOut.length} held-out cases with both models (mosmos's sliding window)`);
  const torchNet = new UNet2d({ inChannels: 1, widths: options.widths, classes, deepSupervision: true });
  loadNamedWeights(
    torchNet,
    readFileSync(join(options.dir, 'final_torch.safetensors')),
    'final_torch.safetensors',
  );
  const info = {
    network: { arch: 'unet2d', inChannels: 1, classes, widths: options.widths },
    window: [p, p, 1],
  } as unknown as SegmentationModelInfo;
  const meanDice = (net: UNet2d) => {
    const perCase = heldOut.map((v) => {
      const pred = segmentPrepared({ network: net, info }, v.image, v.dims, { overlap: 0.5, batchSize: 16 });
      const organs = Array.from({ length: classes - 1 }, (_, k) => diceScore(pred, v.label, k + 1));
      return nanMean(organs);
    });
    return nanMean(perCase);
  };
  result.diceMosmos = meanDice(network);
  result.diceTorch = meanDice(torchNet);
  return result;
}
