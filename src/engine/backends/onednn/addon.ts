import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A native tensor: an opaque handle owning oneDNN memory (plain or blocked layout). */
export type NativeHandle = { readonly __nativeTensor: unique symbol };

type Dims = readonly number[];

/**
 * The N-API surface of `native/build/Release/mosmos_dnnl.node` (see native/src/binding.cc).
 * Geometry arrays have one entry per spatial axis; strides and dilations are PyTorch-style.
 */
export interface NativeAddon {
  version(): string;
  getThreads(): number;
  setThreads(n: number): void;
  liveBytes(): number;
  fromFloat32(values: Float32Array, dims: Dims): NativeHandle;
  toFloat32(t: NativeHandle): Float32Array;
  dispose(t: NativeHandle): void;
  alive(t: NativeHandle): boolean;
  dims(t: NativeHandle): number[];
  /** 'plain' or 'blocked:<channel block>'. */
  layout(t: NativeHandle): string;
  reshape(t: NativeHandle, dims: Dims): NativeHandle;
  convForward(
    x: NativeHandle,
    w: NativeHandle,
    bias: NativeHandle | null,
    stride: Dims,
    dilation: Dims,
    padL: Dims,
    padR: Dims,
    transposed: boolean,
  ): NativeHandle;
  convBackwardData(
    dy: NativeHandle,
    w: NativeHandle,
    xShape: Dims,
    stride: Dims,
    dilation: Dims,
    padL: Dims,
    padR: Dims,
    transposed: boolean,
  ): NativeHandle;
  convBackwardWeights(
    x: NativeHandle,
    dy: NativeHandle,
    wShape: Dims,
    stride: Dims,
    dilation: Dims,
    padL: Dims,
    padR: Dims,
    transposed: boolean,
    withBias: boolean,
  ): NativeHandle[];
  poolForward(
    x: NativeHandle,
    kind: 'max' | 'avg' | 'avg_exclude_padding',
    kernel: Dims,
    stride: Dims,
    dilation: Dims,
    padL: Dims,
    padR: Dims,
    training: boolean,
  ): NativeHandle;
  poolBackward(
    dy: NativeHandle,
    x: NativeHandle,
    y: NativeHandle | null,
    kind: 'max' | 'avg' | 'avg_exclude_padding',
    kernel: Dims,
    stride: Dims,
    dilation: Dims,
    padL: Dims,
    padR: Dims,
  ): NativeHandle;
  batchNormForward(
    x: NativeHandle,
    scale: NativeHandle,
    shift: NativeHandle,
    mean: NativeHandle | null,
    variance: NativeHandle | null,
    epsilon: number,
    training: true,
  ): [NativeHandle, NativeHandle, NativeHandle];
  batchNormForward(
    x: NativeHandle,
    scale: NativeHandle,
    shift: NativeHandle,
    mean: NativeHandle,
    variance: NativeHandle,
    epsilon: number,
    training: false,
  ): NativeHandle;
  batchNormBackward(
    dy: NativeHandle,
    x: NativeHandle,
    scale: NativeHandle,
    shift: NativeHandle,
    mean: NativeHandle,
    variance: NativeHandle,
    epsilon: number,
  ): [NativeHandle, NativeHandle, NativeHandle];
  layerNormForward(x: NativeHandle, epsilon: number): [NativeHandle, NativeHandle, NativeHandle];
  layerNormBackward(
    dy: NativeHandle,
    x: NativeHandle,
    mean: NativeHandle,
    variance: NativeHandle,
    epsilon: number,
  ): NativeHandle;
  eltwise(x: NativeHandle, name: string, alpha: number, beta: number): NativeHandle;
  eltwiseBackward(dy: NativeHandle, x: NativeHandle, name: string, alpha: number, beta: number): NativeHandle;
  binary(a: NativeHandle, b: NativeHandle, name: 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min'): NativeHandle;
  broadcastTo(a: NativeHandle, dims: Dims): NativeHandle;
  softmax(x: NativeHandle, axis: number, log: boolean): NativeHandle;
  softmaxBackward(dy: NativeHandle, y: NativeHandle, axis: number, log: boolean): NativeHandle;
  matmul(a: NativeHandle, b: NativeHandle, transA: boolean, transB: boolean): NativeHandle;
  concat(parts: readonly NativeHandle[], axis: number): NativeHandle;
  slice(x: NativeHandle, offsets: Dims, dims: Dims): NativeHandle;
  reduceSum(x: NativeHandle, dims: Dims): NativeHandle;
  adamw(
    param: NativeHandle,
    grad: NativeHandle,
    m: NativeHandle,
    v: NativeHandle,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    step: number,
  ): [NativeHandle, NativeHandle, NativeHandle];
}

/** Where the addon is looked for: MOSMOS_NATIVE_ADDON, else native/build/Release from the package root. */
export function addonPath(): string {
  const override = process.env.MOSMOS_NATIVE_ADDON;
  if (override !== undefined && override !== '') return resolve(override);
  // This file sits at <root>/{src,dist}/engine/backends/onednn/.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  return join(root, 'native', 'build', 'Release', 'mosmos_dnnl.node');
}

let loaded: NativeAddon | null = null;

/**
 * Loads the addon once and sets its thread count (MOSMOS_THREADS, default 2: the machine's cores).
 * Throws with a one-line reason when the addon is missing or cannot be loaded.
 */
export function loadAddon(): NativeAddon {
  if (loaded !== null) return loaded;
  const path = addonPath();
  if (!existsSync(path)) throw new Error(`addon not built (${path} missing; run npm run build:native)`);
  // Debian's oneDNN runs on OpenMP (libgomp), loaded with the addon. libgomp's default lets idle
  // threads spin between parallel regions; when the cores are shared with other processes a
  // spinning or descheduled thread stalls every one of the hundreds of short regions in a training
  // step (measured here: a U-Net inference pass 1.4 s spinning vs 0.07 s passive). Passive waiting
  // costs microseconds per region on an idle machine. libgomp reads this once, at load.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.OMP_WAIT_POLICY = 'passive';
  }
  const require = createRequire(import.meta.url);
  let addon: NativeAddon;
  try {
    addon = require(path) as NativeAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`addon failed to load: ${reason}`);
  }
  const threads = Number.parseInt(process.env.MOSMOS_THREADS ?? '', 10);
  addon.setThreads(Number.isInteger(threads) && threads > 0 ? threads : 2);
  loaded = addon;
  return addon;
}
