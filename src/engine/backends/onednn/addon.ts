import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EngineSettings, engineSettings } from '../../settings.js';
import type { NativeKernels } from './kernel-specs.js';

/** A native tensor: an opaque handle owning oneDNN memory (plain or blocked layout). */
export type NativeHandle = { readonly __nativeTensor: unique symbol };

type Dims = readonly number[];

/**
 * The N-API surface of `native/build/Release/mosmos_dnnl.node` (see native/src/binding.cc): tensor
 * handles, and the kernels declared in kernel-specs.ts.
 */
export interface NativeAddon extends NativeKernels {
  version(): string;
  getThreads(): number;
  /** oneDNN's effective CPU ISA ('avx2', 'avx512_core', 'avx512_core_bf16', 'avx512_core_amx', ...). */
  cpuIsa(): string;
  liveBytes(): number;
  fromFloat32(values: Float32Array, dims: Dims): NativeHandle;
  toFloat32(t: NativeHandle): Float32Array;
  dispose(t: NativeHandle): void;
  alive(t: NativeHandle): boolean;
  dims(t: NativeHandle): number[];
  /** 'plain' or 'blocked:<channel block>'. */
  layout(t: NativeHandle): string;
  reshape(t: NativeHandle, dims: Dims): NativeHandle;
  /** A copy of t with channel block 1 (plain), 8 or 16 (rank 3-5): tests of other layouts than this CPU's. */
  withChannelBlock(t: NativeHandle, block: 1 | 8 | 16): NativeHandle;
}

/** Where the addon is looked for: MOSMOS_NATIVE_ADDON, else native/build/Release from the package root. */
export function addonPath(): string {
  const override = engineSettings().nativeAddon;
  if (override !== null) return resolve(override);
  // This file sits at <root>/{src,dist}/engine/backends/onednn/.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  return join(root, 'native', 'build', 'Release', 'mosmos_dnnl.node');
}

let loaded: NativeAddon | null = null;

/** Passes the engine's settings (threads, buffer cache, resolved precision) to the addon. */
export function configureAddon(
  addon: NativeAddon,
  settings: EngineSettings,
  precision: 'fp32' | 'bf16',
): void {
  addon.configure([], { threads: settings.threads, bufferCacheMb: settings.bufferCacheMb, precision });
}

/**
 * Loads the addon once (on the engine's first use of the oneDNN backend, never at import). Throws
 * with a one-line reason when the addon is missing or cannot be loaded.
 */
export function loadAddon(): NativeAddon {
  if (loaded !== null) return loaded;
  const path = addonPath();
  if (!existsSync(path)) throw new Error(`addon not built (${path} missing; run npm run build:native)`);
  const require = createRequire(import.meta.url);
  let addon: NativeAddon;
  try {
    addon = withPassiveOpenMp(() => require(path) as NativeAddon);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`addon failed to load: ${reason}`);
  }
  addon.configure([], {
    threads: engineSettings().threads,
    bufferCacheMb: engineSettings().bufferCacheMb,
    precision: 'fp32',
  });
  loaded = addon;
  return addon;
}

/**
 * Runs `load` with OMP_WAIT_POLICY=passive in the environment unless the user set a policy, and
 * restores the environment afterwards. Debian's oneDNN runs on OpenMP (libgomp), which reads the
 * policy once, when it is loaded with the addon; its default lets idle threads spin between
 * parallel regions, and when the cores are shared with other processes a spinning or descheduled
 * thread stalls every one of the hundreds of short regions of a training step (measured: a U-Net
 * inference pass 1.4 s spinning vs 0.07 s passive). The variable is only visible while libgomp
 * initialises: the process's environment (and its children's) is left as it was.
 */
function withPassiveOpenMp<T>(load: () => T): T {
  const env = process.env;
  if (env.OMP_WAIT_POLICY !== undefined || env.GOMP_SPINCOUNT !== undefined) return load();
  env.OMP_WAIT_POLICY = 'passive';
  try {
    return load();
  } finally {
    delete env.OMP_WAIT_POLICY;
  }
}
