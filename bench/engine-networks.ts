// The networks bench/engine.ts times, built as the product builds them (nn/segmentation-network.ts
// as `mosmos finetune` does, nn/text-encoder.ts as `mosmos pretrain` does), trained with the product's
// own loss (Dice + cross-entropy; over the deep-supervision outputs where the case says so),
// gradient clipping and AdamW, from plain NCHW/NCDHW inputs made from Float32Arrays at every step
// as the data pipeline hands them over. bench/engine_torch.py builds the same layers, widths, norms
// and activations in PyTorch; both sides print their parameter count so a mismatch shows.
import {
  AdamW,
  backward,
  clipGradNorm,
  mean,
  mul,
  noGrad,
  type Parameter,
  softmax,
  type Tensor,
  tensor,
  tidy,
} from '../src/engine/index.js';
import {
  buildSegmentationNetwork,
  segmentationLogits,
  segmentationOutputs,
} from '../src/nn/segmentation-network.js';
import { TextEncoder } from '../src/nn/text-encoder.js';
import { deepSupervisionLoss, diceCeLoss } from '../src/train/segmentation-losses.js';

/** What every network case shares: its sizes, for the report and for engine_torch.py. */
export interface NetworkSpec {
  /** 'unet2d' | 'unet3d' | 'unetr' | 'text'. */
  family: string;
  batch: number;
  /** Spatial size of one input (2D: [H, W]; 3D: [D, H, W]); text: [length]. */
  size: number[];
  classes: number;
  widths?: number[];
  /** Attention-map tags (0 = off). */
  tags: number;
  /** U-Nets: heads at the lower decoder resolutions and nnU-Net's weighted loss over them. */
  deepSupervision?: boolean;
  vit?: {
    imageSize: [number, number, number];
    patchSize: number;
    hidden: number;
    depth: number;
    heads: number;
  };
  featureSize?: number;
  text?: { vocab: number; hidden: number; depth: number; heads: number };
}

/** The attention settings finetune uses without a pre-training run (embedDim 64, tau 0.1). */
const attention = (tags: number) => (tags > 0 ? { tags, embedDim: 64, tau: 0.1 } : undefined);

export const networkSpecs: Record<string, NetworkSpec> = {
  // The full demo's fine-tuning: 96² patches at 4 mm, batch 8, widths 'small', 13 BTCV tags.
  unet2d: { family: 'unet2d', batch: 8, size: [96, 96], classes: 14, widths: [16, 32, 64, 128], tags: 13 },
  // A real abdominal CT at a 1.5 mm in-plane plan: 192×160 patches (288 × 240 mm, the abdomen's
  // cross-section), batch 4, the same widths and tags.
  unet2d_ct: {
    family: 'unet2d',
    batch: 4,
    size: [192, 160],
    classes: 14,
    widths: [16, 32, 64, 128],
    tags: 13,
  },
  // `mosmos finetune --arch unet3d` as planned (nn/unet3d.ts, nnU-Net 3d_fullres style): patch
  // x,y,z = 64,64,32 (the tensor is [N, 1, 32, 64, 64]), batch 2 (the 3D plan's voxel budget,
  // data/plan.ts), widths 16–128 (4 stages: what a 64×64×32 patch pools to, capped at 160), deep
  // supervision on (finetune's default, 3 outputs). Attention maps off: finetune turns them on
  // only with --pretrained, and pre-training has no 3D U-Net yet.
  unet3d: {
    family: 'unet3d',
    batch: 2,
    size: [32, 64, 64],
    classes: 14,
    widths: [16, 32, 64, 128],
    tags: 0,
    deepSupervision: true,
  },
  unetr: {
    family: 'unetr',
    batch: 2,
    size: [32, 32, 32],
    classes: 14,
    tags: 13,
    featureSize: 16,
    vit: { imageSize: [32, 32, 32], patchSize: 8, hidden: 64, depth: 4, heads: 4 },
  },
  unetr_small: {
    family: 'unetr',
    batch: 1,
    size: [64, 64, 64],
    classes: 14,
    tags: 13,
    featureSize: 16,
    vit: { imageSize: [64, 64, 64], patchSize: 16, hidden: 384, depth: 12, heads: 6 },
  },
  // The pre-training text encoder ('tiny' preset, the corpus's 2000-word vocabulary), 32 reports.
  text_encoder: {
    family: 'text',
    batch: 32,
    size: [64],
    classes: 0,
    tags: 0,
    text: { vocab: 2000, hidden: 64, depth: 2, heads: 4 },
  },
};

/** Deterministic pseudo-random values (both sides generate their own; timing does not depend on them). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomInput(count: number, seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: count }, () => next() * 2 - 1);
}

function randomLabels(count: number, classes: number, seed: number): Int32Array {
  const next = lcg(seed);
  return Int32Array.from({ length: count }, () => Math.floor(next() * classes));
}

export interface NetworkCase {
  parameters: number;
  /** One optimizer step (forward, loss, backward, clip, AdamW) from plain inputs. */
  trainStep: () => void;
  /** One forward pass without gradients, softmax probabilities read back as inference does. */
  inference: () => void;
}

function countParameters(params: readonly Parameter[]): number {
  return params.reduce((n, p) => n + p.size, 0);
}

/** Every Parameter reachable from a module object (as nn/module.ts walks them). */
function collectParameters(root: object): Parameter[] {
  const seen = new Set<object>();
  const out: Parameter[] = [];
  const visit = (value: unknown) => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if ((value as Parameter).requiresGrad === true && 'assign' in (value as object)) {
      out.push(value as Parameter);
      return;
    }
    for (const v of Array.isArray(value) ? value : Object.values(value)) visit(v);
  };
  visit(root);
  return out;
}

function withOptimizer(params: Parameter[], loss: () => Tensor): () => void {
  const optimizer = new AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
  return () =>
    tidy(() => {
      backward(loss());
      clipGradNorm(params, 1);
      optimizer.step();
      optimizer.zeroGrad();
    });
}

/**
 * A U-Net case at another input size or batch (quick checks and profiles on a small patch); the
 * other families' sizes are tied to their configuration.
 * @example resizedSpec('unet3d', { size: [16, 32, 32], batch: 1 })
 */
export function resizedSpec(key: string, change: { size?: number[]; batch?: number }): NetworkSpec {
  const spec = networkSpecs[key];
  if (spec === undefined) throw new Error(`unknown network '${key}'`);
  if (change.size === undefined && change.batch === undefined) return spec;
  if (spec.family !== 'unet2d' && spec.family !== 'unet3d')
    throw new Error(`--size/--batch apply to the U-Net cases only, not '${key}'`);
  const size = change.size ?? spec.size;
  const reduction = 2 ** (spec.widths!.length - 1);
  if (size.length !== spec.size.length || size.some((s) => !(s > 0 && s % reduction === 0)))
    throw new Error(
      `--size for '${key}' needs ${spec.size.length} sizes divisible by ${reduction}, got ${size.join(',')}`,
    );
  const batch = change.batch ?? spec.batch;
  if (!(Number.isInteger(batch) && batch > 0))
    throw new Error(`--batch must be a positive integer, got ${batch}`);
  return { ...spec, size, batch };
}

export function buildNetworkCase(key: string, spec = networkSpecs[key]): NetworkCase {
  if (spec === undefined) throw new Error(`unknown network '${key}'`);
  const { batch, size, classes } = spec;
  const voxels = size.reduce((a, b) => a * b, 1);
  const inputShape = [batch, 1, ...size];
  const input = randomInput(batch * voxels, 1);
  const labels = randomLabels(batch * voxels, Math.max(classes, 1), 2);
  if (spec.family === 'text') {
    const t = spec.text!;
    const encoder = new TextEncoder({
      vocabSize: t.vocab,
      maxLength: size[0]!,
      hidden: t.hidden,
      depth: t.depth,
      heads: t.heads,
    });
    const params = collectParameters(encoder);
    const length = size[0]!;
    const ids = Int32Array.from(randomLabels(batch * length, t.vocab, 3));
    // Reports of different lengths: the last quarter of each row is padding in half of them.
    const mask = Uint8Array.from({ length: batch * length }, (_, i) =>
      Math.floor(i / length) % 2 === 1 && i % length >= (3 * length) / 4 ? 0 : 1,
    );
    const tokens = { ids, mask, batch, length };
    const pooledLoss = () => {
      const pooled = encoder.forward(tokens, true).pooled;
      return mean(mul(pooled, pooled));
    };
    return {
      parameters: countParameters(params),
      trainStep: withOptimizer(params, pooledLoss),
      inference: () => tidy(() => noGrad(() => void encoder.forward(tokens).pooled.toFloat32Array())),
    };
  }
  const network = buildSegmentationNetwork(
    spec.family === 'unet2d' || spec.family === 'unet3d'
      ? {
          arch: spec.family,
          inChannels: 1,
          classes,
          widths: spec.widths!,
          attention: attention(spec.tags),
          deepSupervision: spec.deepSupervision === true,
        }
      : {
          arch: 'unetr',
          inChannels: 1,
          classes,
          featureSize: spec.featureSize!,
          vit: spec.vit!,
          attention: attention(spec.tags),
        },
  );
  const params = collectParameters(network);
  return {
    parameters: countParameters(params),
    trainStep: withOptimizer(params, () =>
      spec.deepSupervision
        ? deepSupervisionLoss(segmentationOutputs(network, tensor(input, inputShape)), labels).loss
        : diceCeLoss(segmentationLogits(network, tensor(input, inputShape), true), labels).loss,
    ),
    inference: () =>
      tidy(() =>
        noGrad(
          () => void softmax(segmentationLogits(network, tensor(input, inputShape)), 1).toFloat32Array(),
        ),
      ),
  };
}
