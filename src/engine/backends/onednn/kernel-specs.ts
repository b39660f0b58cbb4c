/**
 * The native kernels of the oneDNN addon, one declared description each: its inputs (tensor handles,
 * `?` = may be null), its named options and its outputs. Every kernel is called as
 * `addon[name](inputs, options)`; native/src/binding.cc reads the options by these names (a missing
 * one is an error naming the kernel and the option), and the `NativeKernels` type below — what the
 * backend's TypeScript calls — is derived from this table, so the two sides cannot drift apart
 * silently (kernel-specs.test.ts calls every kernel with one option left out).
 */
import type { NativeHandle } from './addon.js';

type Dims = readonly number[];

/** The type of every option name used in the table. */
export interface NativeOptionTypes {
  stride: Dims;
  dilation: Dims;
  padL: Dims;
  padR: Dims;
  transposed: boolean;
  inputShape: Dims;
  filterShape: Dims;
  withBias: boolean;
  kind: 'max' | 'avg' | 'avg_exclude_padding';
  kernel: Dims;
  training: boolean;
  epsilon: number;
  leakyRelu: boolean;
  negativeSlope: number;
  op: string;
  alpha: number;
  beta: number;
  dims: Dims;
  axis: number;
  log: boolean;
  transposeA: boolean;
  transposeB: boolean;
  offsets: Dims;
  perm: Dims;
  lr: number;
  beta1: number;
  beta2: number;
  weightDecay: number;
  step: number;
  threads: number;
  bufferCacheMb: number;
  precision: 'fp32' | 'bf16';
}

interface KernelSpec {
  /** Input names in order; a trailing `?` marks an optional input (null allowed); `...` a list. */
  readonly inputs: readonly string[];
  readonly options: readonly (keyof NativeOptionTypes)[];
  /** 'one': a handle; 'maybe': a handle or null; 'list': an array of handles; 'none': nothing. */
  readonly outputs: 'one' | 'maybe' | 'list' | 'none';
}

const conv = ['stride', 'dilation', 'padL', 'padR', 'transposed'] as const;
const pool = ['kind', 'kernel', 'stride', 'dilation', 'padL', 'padR'] as const;
const instanceNorm = ['epsilon', 'leakyRelu', 'negativeSlope'] as const;

export const nativeKernelSpecs = {
  convForward: { inputs: ['x', 'w', 'bias?'], options: conv, outputs: 'one' },
  convBackwardData: { inputs: ['dy', 'w'], options: [...conv, 'inputShape'], outputs: 'one' },
  /** → [dw, db] (db only with `withBias`). */
  convBackwardWeights: {
    inputs: ['x', 'dy'],
    options: [...conv, 'filterShape', 'withBias'],
    outputs: 'list',
  },
  poolForward: { inputs: ['x'], options: [...pool, 'training'], outputs: 'one' },
  poolBackward: { inputs: ['dy', 'x', 'y?'], options: pool, outputs: 'one' },
  /** Training [x, scale, shift] → [y, mean, variance]; inference [x, scale, shift, mean, variance] → [y]. */
  batchNormForward: {
    inputs: ['x', 'scale', 'shift', 'mean?', 'variance?'],
    options: ['epsilon', 'training'],
    outputs: 'list',
  },
  /** → [dx, dscale, dshift]. */
  batchNormBackward: {
    inputs: ['dy', 'x', 'scale', 'shift', 'mean', 'variance'],
    options: ['epsilon'],
    outputs: 'list',
  },
  /** → [y, mean, rstd] (statistics [N, C]); `leakyRelu` applies the activation in the same pass. */
  instanceNormForward: { inputs: ['x', 'scale?', 'shift?'], options: instanceNorm, outputs: 'list' },
  /** → [dx, dscale, dshift]. */
  instanceNormBackward: {
    inputs: ['dy', 'x', 'mean', 'rstd', 'scale?', 'shift?'],
    options: instanceNorm,
    outputs: 'list',
  },
  /** → [y, mean, variance] over the last axis. */
  layerNormForward: { inputs: ['x'], options: ['epsilon'], outputs: 'list' },
  layerNormBackward: { inputs: ['dy', 'x', 'mean', 'variance'], options: ['epsilon'], outputs: 'one' },
  eltwise: { inputs: ['x'], options: ['op', 'alpha', 'beta'], outputs: 'one' },
  eltwiseBackward: { inputs: ['dy', 'x'], options: ['op', 'alpha', 'beta'], outputs: 'one' },
  binary: { inputs: ['a', 'b'], options: ['op'], outputs: 'one' },
  broadcastTo: { inputs: ['x'], options: ['dims'], outputs: 'one' },
  softmax: { inputs: ['x'], options: ['axis', 'log'], outputs: 'one' },
  softmaxBackward: { inputs: ['dy', 'y'], options: ['axis', 'log'], outputs: 'one' },
  matmul: { inputs: ['a', 'b'], options: ['transposeA', 'transposeB'], outputs: 'one' },
  concat: { inputs: ['...parts'], options: ['axis'], outputs: 'one' },
  slice: { inputs: ['x'], options: ['offsets', 'dims'], outputs: 'one' },
  reduceSum: { inputs: ['x'], options: ['dims'], outputs: 'one' },
  permute: { inputs: ['x'], options: ['perm'], outputs: 'one' },
  /** Maximum over the spatial axes → [N, C]; null where the layout has no direct loop. */
  spatialMax: { inputs: ['x'], options: [], outputs: 'maybe' },
  /** → [param, m, v]. */
  adamw: {
    inputs: ['param', 'grad', 'm', 'v'],
    options: ['lr', 'beta1', 'beta2', 'epsilon', 'weightDecay', 'step'],
    outputs: 'list',
  },
  configure: { inputs: [], options: ['threads', 'bufferCacheMb', 'precision'], outputs: 'none' },
} as const satisfies Record<string, KernelSpec>;

type Specs = typeof nativeKernelSpecs;
export type NativeKernelName = keyof Specs;

type InputOf<N> = N extends `...${string}`
  ? NativeHandle[]
  : N extends `${string}?`
    ? NativeHandle | null
    : NativeHandle;
type InputsOf<I extends readonly string[]> = I extends readonly [`...${string}`]
  ? readonly NativeHandle[]
  : { readonly [K in keyof I]: InputOf<I[K]> };
type OutputOf<O> = O extends 'one'
  ? NativeHandle
  : O extends 'maybe'
    ? NativeHandle | null
    : O extends 'list'
      ? NativeHandle[]
      : undefined;

export type NativeOptions<K extends NativeKernelName> = {
  readonly [O in Specs[K]['options'][number]]: NativeOptionTypes[O];
};

/** The addon's kernels as TypeScript sees them: `(inputs, options) → output(s)`. */
export type NativeKernels = {
  [K in NativeKernelName]: (
    inputs: InputsOf<Specs[K]['inputs']>,
    options: NativeOptions<K>,
  ) => OutputOf<Specs[K]['outputs']>;
};
