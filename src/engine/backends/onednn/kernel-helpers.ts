import type { Backend, TensorInfo } from '../../backend.js';
import type { KernelAttrMap, KernelName } from '../../kernel-names.js';
import { getKernel } from '../../kernel-registry.js';
import { referenceBackend } from '../reference/storage.js';
import type { NativeAddon, NativeHandle } from './addon.js';
import { nativeDims } from './storage.js';

export const BACKEND_NAME = 'onednn';

/** The native handle behind a kernel input. */
export function handle(info: TensorInfo): NativeHandle {
  return info.storage as NativeHandle;
}

export function result(shape: readonly number[], storage: NativeHandle): TensorInfo {
  return { shape: [...shape], storage };
}

/**
 * Runs the reference kernel on plain copies, for the cases a native kernel does not cover (rank over
 * 6, unusual attributes): the same fallback dispatch uses for kernels with no native version at all.
 */
export function viaReference<K extends KernelName>(
  name: K,
  inputs: readonly TensorInfo[],
  attrs: KernelAttrMap[K],
  backend: Backend,
): TensorInfo[] {
  const kernel = getKernel(referenceBackend.name, name);
  if (kernel === undefined) throw new Error(`no reference kernel '${name}'`);
  const plain = inputs.map((i) => ({ shape: i.shape, storage: backend.toFloat32(i.storage, i.shape) }));
  const out = kernel(plain, attrs, referenceBackend);
  return (Array.isArray(out) ? out : [out]).map((r) => ({
    shape: r.shape,
    storage: backend.fromFloat32(r.storage as Float32Array, r.shape),
  }));
}

/**
 * `info` seen with `rank` axes (leading 1s added), for oneDNN ops that need equal ranks. Returns the
 * handle and whether it is a new view the caller must dispose.
 */
export function withRank(
  addon: NativeAddon,
  info: TensorInfo,
  rank: number,
): { h: NativeHandle; view: boolean } {
  const dims = nativeDims(info.shape);
  if (dims.length === rank) return { h: handle(info), view: false };
  const padded = [...new Array<number>(rank - info.shape.length).fill(1), ...info.shape];
  return { h: addon.reshape(handle(info), padded), view: true };
}

/** The logical result shape `shape`, reshaping the native result when its rank differs. */
export function asShape(addon: NativeAddon, h: NativeHandle, shape: readonly number[]): TensorInfo {
  const dims = addon.dims(h);
  const want = nativeDims(shape);
  if (dims.length === want.length && dims.every((d, i) => d === want[i])) return result(shape, h);
  const view = addon.reshape(h, want);
  addon.dispose(h);
  return result(shape, view);
}

/** Native tensors have at most 6 axes. */
export const MAX_RANK = 6;
