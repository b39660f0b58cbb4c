import { needsGrad, noGrad, recordGrad } from '../autograd.js';
import { ones, zeros } from '../creation.js';
import { runKernel, runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { add, mul } from './arithmetic.js';
import { reshape } from './shape.js';

function channelShape(x: Tensor): number[] {
  return x.shape.map((d, i) => (i === 1 ? d : 1));
}

/** Per-channel affine on an N, C, ... tensor. */
function channelAffine(
  y: Tensor,
  weight: Tensor | null | undefined,
  bias: Tensor | null | undefined,
): Tensor {
  const shape = channelShape(y);
  const scaled = weight ? mul(y, reshape(weight, shape)) : y;
  return bias ? add(scaled, reshape(bias, shape)) : scaled;
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Updated in place while training (PyTorch: unbiased variance, exponential average). */
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  training?: boolean;
  momentum?: number;
  epsilon?: number;
}

/**
 * Batch normalisation over N, C, ... (statistics per channel over batch and space). Training uses
 * the batch statistics and updates the running ones; evaluation uses the running ones.
 */
export function batchNorm(x: Tensor, options: BatchNormOptions = {}): Tensor {
  const epsilon = options.epsilon ?? 1e-5;
  const training = options.training ?? true;
  const { runningMean, runningVar } = options;
  if (training) {
    const channels = x.shape[1]!;
    // Weight and bias go into the kernel (one pass forward, one backward) as [C] vectors; a
    // missing one is the identity (ones / zeros).
    const affine = Boolean(options.weight || options.bias);
    const asChannels = (t: Tensor) => (t.rank === 1 ? t : reshape(t, [channels]));
    const weight = affine ? (options.weight ? asChannels(options.weight) : ones([channels])) : null;
    const bias = affine ? (options.bias ? asChannels(options.bias) : zeros([channels])) : null;
    const inputs = weight && bias ? [x, weight, bias] : [x];
    const [y, mean, variance] = runKernel('BatchNorm', inputs, { epsilon, affine }) as [
      Tensor,
      Tensor,
      Tensor,
    ];
    const withGrad = needsGrad(...inputs);
    if (withGrad && weight && bias) {
      recordGrad('batchNorm', y, inputs, (dy) => {
        const grads = runKernel('BatchNormGrad', [dy, x, mean, variance, weight], { epsilon, affine: true });
        // Gradients nobody needs are freed now rather than at the end of the tidy scope.
        return grads.map((g, i) => {
          if (inputs[i]!.requiresGrad) return g;
          g.dispose();
          return null;
        });
      });
    } else if (withGrad) {
      recordGrad('batchNorm', y, [x], (dy) => [
        runKernel1('BatchNormGrad', [dy, x, mean, variance], { epsilon }),
      ]);
    }
    if (runningMean && runningVar)
      updateRunningStatistics(x, mean, variance, runningMean, runningVar, options);
    if (!withGrad) {
      mean.dispose();
      variance.dispose();
    }
    return y;
  }
  if (!runningMean || !runningVar) throw new Error('batchNorm: evaluation needs running statistics');
  const [y, m, v] = runKernel('BatchNorm', [x, runningMean, runningVar], { epsilon }) as [
    Tensor,
    Tensor,
    Tensor,
  ];
  m.dispose();
  v.dispose();
  if (needsGrad(x)) {
    recordGrad('batchNorm', y, [x], (dy) => {
      const shifted = runKernel1('ScaleShift', [runningVar], { scale: 1, shift: epsilon });
      const rstd = runKernel1('PowScalar', [shifted], { exponent: -0.5 });
      const r = runKernel1('Reshape', [rstd], { shape: channelShape(x) });
      const g = runKernel1('Mul', [dy, r], {});
      for (const t of [shifted, rstd, r]) t.dispose();
      return [g];
    });
  }
  return channelAffine(y, options.weight, options.bias);
}

/** Running mean and variance (PyTorch: unbiased variance, exponential average), updated in place. */
function updateRunningStatistics(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  runningMean: Tensor,
  runningVar: Tensor,
  options: BatchNormOptions,
): void {
  const momentum = options.momentum ?? 0.1;
  const count = x.size / x.shape[1]!;
  noGrad(() => {
    const m = runKernel1('ScaleShift', [mean], { scale: momentum, shift: 0 });
    const rm = runKernel1('ScaleShift', [runningMean], { scale: 1 - momentum, shift: 0 });
    runningMean.assign(runKernel1('Add', [m, rm], {}));
    const v = runKernel1('ScaleShift', [variance], {
      scale: (momentum * count) / Math.max(count - 1, 1),
      shift: 0,
    });
    const rv = runKernel1('ScaleShift', [runningVar], { scale: 1 - momentum, shift: 0 });
    runningVar.assign(runKernel1('Add', [v, rv], {}));
    for (const t of [m, rm, v, rv]) t.dispose();
  });
}

/** Normalises each row of the last axis of `x` (no affine). */
function normalizeRows(x: Tensor, epsilon: number, name: string): Tensor {
  const [y, mean, variance] = runKernel('LayerNorm', [x], { epsilon }) as [Tensor, Tensor, Tensor];
  if (needsGrad(x))
    recordGrad(name, y, [x], (dy) => [runKernel1('LayerNormGrad', [dy, x, mean, variance], { epsilon })]);
  else {
    mean.dispose();
    variance.dispose();
  }
  return y;
}

/**
 * Layer normalisation over the last `normalizedDims` axes (default: weight's rank, else 1), with an
 * optional elementwise affine of that shape.
 */
export function layerNorm(
  x: Tensor,
  weight?: Tensor | null,
  bias?: Tensor | null,
  options: { epsilon?: number; normalizedDims?: number } = {},
): Tensor {
  const dims = options.normalizedDims ?? weight?.rank ?? 1;
  const inner = x.shape.slice(x.rank - dims).reduce((p, d) => p * d, 1);
  const rows = reshape(x, [-1, inner]);
  const y = reshape(normalizeRows(rows, options.epsilon ?? 1e-5, 'layerNorm'), x.shape);
  const scaled = weight ? mul(y, weight) : y;
  return bias ? add(scaled, bias) : scaled;
}

export interface InstanceNormOptions {
  epsilon?: number;
  /** Applies leakyRelu(·, negativeSlope) to the result in the same kernel (nnU-Net's norm → lrelu). */
  negativeSlope?: number | null;
}

/**
 * Instance normalisation: per sample and channel over space (PyTorch InstanceNorm, no running
 * stats), with the per-channel affine and optionally a leaky ReLU, as one kernel each way: the
 * native backend runs it in the activation's own (blocked) layout, where the composition of
 * reshape, layer norm and broadcast affine reordered the activation to plain and back.
 */
export function instanceNorm(
  x: Tensor,
  weight?: Tensor | null,
  bias?: Tensor | null,
  options: InstanceNormOptions = {},
): Tensor {
  if (x.rank < 3) throw new Error(`instanceNorm: input needs spatial axes, got shape [${x.shape}]`);
  const channels = x.shape[1]!;
  const affine = Boolean(weight || bias);
  const asChannels = (t: Tensor) => (t.rank === 1 ? t : reshape(t, [channels]));
  const w = affine ? (weight ? asChannels(weight) : ones([channels])) : null;
  const b = affine ? (bias ? asChannels(bias) : zeros([channels])) : null;
  const attrs = { epsilon: options.epsilon ?? 1e-5, affine, negativeSlope: options.negativeSlope ?? null };
  const inputs = w && b ? [x, w, b] : [x];
  const [y, mean, rstd] = runKernel('InstanceNorm', inputs, attrs) as [Tensor, Tensor, Tensor];
  if (!needsGrad(...inputs)) {
    mean.dispose();
    rstd.dispose();
    return y;
  }
  recordGrad('instanceNorm', y, inputs, (dy) => {
    const grads = runKernel('InstanceNormGrad', [dy, x, mean, rstd, ...(w && b ? [w, b] : [])], attrs);
    return grads.map((g, i) => {
      if (inputs[i]!.requiresGrad) return g;
      g.dispose();
      return null;
    });
  });
  return y;
}

/** Group normalisation: channels split into `groups`, each normalised over its channels and space. */
export function groupNorm(
  x: Tensor,
  groups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  options: { epsilon?: number } = {},
): Tensor {
  if (x.shape[1]! % groups !== 0)
    throw new Error(`groupNorm: ${x.shape[1]} channels not divisible by ${groups} groups`);
  const rows = reshape(x, [x.shape[0]! * groups, -1]);
  const y = reshape(normalizeRows(rows, options.epsilon ?? 1e-5, 'groupNorm'), x.shape);
  return channelAffine(y, weight, bias);
}
