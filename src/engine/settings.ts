/**
 * The engine's settings, read from the environment in this one module and nowhere else:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `MOSMOS_BACKEND` | `onednn` or `reference` | oneDNN when its addon loads |
 * | `MOSMOS_THREADS` | threads of the native backend | the CPUs this process may use |
 * | `MOSMOS_PRECISION` | `auto`, `bf16` or `fp32` (convolutions and matmuls) | `auto` |
 * | `MOSMOS_NATIVE_ADDON` | path of another build of the addon | `native/build/Release/mosmos_dnnl.node` |
 * | `MOSMOS_BUFFER_CACHE_MB` | freed native buffers kept for reuse | 2048 |
 *
 * Reading the settings changes nothing: not the environment, not the backend. `configureEngine()`
 * overrides them in-process (the CLIs' `--precision`, `--threads`).
 */
import { availableParallelism } from 'node:os';

export type PrecisionSetting = 'auto' | 'bf16' | 'fp32';

export interface EngineSettings {
  backend: 'onednn' | 'reference' | null;
  threads: number;
  precision: PrecisionSetting;
  nativeAddon: string | null;
  bufferCacheMb: number;
}

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${value}: expected a positive integer`);
  return n;
}

export function parsePrecision(value: string, source = 'precision'): PrecisionSetting {
  if (value === 'auto' || value === 'bf16' || value === 'fp32') return value;
  throw new Error(`${source} '${value}': expected auto, bf16 or fp32`);
}

function fromEnvironment(env: NodeJS.ProcessEnv): EngineSettings {
  const backend = env.MOSMOS_BACKEND;
  if (backend !== undefined && backend !== '' && backend !== 'onednn' && backend !== 'reference')
    throw new Error(`MOSMOS_BACKEND=${backend}: expected onednn or reference`);
  return {
    backend: backend === 'onednn' || backend === 'reference' ? backend : null,
    threads: positiveInteger(env.MOSMOS_THREADS, 'MOSMOS_THREADS', availableParallelism()),
    precision: env.MOSMOS_PRECISION ? parsePrecision(env.MOSMOS_PRECISION, 'MOSMOS_PRECISION') : 'auto',
    nativeAddon: env.MOSMOS_NATIVE_ADDON ? env.MOSMOS_NATIVE_ADDON : null,
    bufferCacheMb: positiveInteger(env.MOSMOS_BUFFER_CACHE_MB, 'MOSMOS_BUFFER_CACHE_MB', 2048),
  };
}

let current: EngineSettings | null = null;
const listeners: ((s: EngineSettings) => void)[] = [];

/** The settings in force (read from the environment on first use). */
export function engineSettings(): Readonly<EngineSettings> {
  current ??= fromEnvironment(process.env);
  return current;
}

/** Overrides settings for this process; backends that are already loaded pick the change up. */
export function configureEngine(changes: Partial<EngineSettings>): void {
  current = { ...engineSettings(), ...changes };
  for (const listener of listeners) listener(current);
}

/** Called with the new settings after every configureEngine() (a loaded backend re-applies them). */
export function onSettingsChange(listener: (s: EngineSettings) => void): void {
  listeners.push(listener);
}
