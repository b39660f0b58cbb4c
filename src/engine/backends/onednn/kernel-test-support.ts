/**
 * Test support for the oneDNN kernels: runs a kernel on the native backend and on the reference
 * backend with the same random inputs and reports the largest difference. Used by the *.test.ts
 * files beside it; not part of the engine's API.
 */
import type { Backend, TensorInfo } from '../../backend.js';
import type { KernelAttrMap, KernelName } from '../../kernel-names.js';
import { getKernel } from '../../kernel-registry.js';
import type { Rng } from '../../random.js';
import '../reference/index.js';
import { referenceBackend } from '../reference/storage.js';
import type { NativeAddon, NativeHandle } from './addon.js';
import { loadAddon } from './addon.js';
import { loadOnednnBackend } from './index.js';

export interface Native {
  addon: NativeAddon;
  backend: Backend;
}

/** The loaded backend, or the reason it is unavailable (tests then skip with that reason). */
export function tryNative(): Native | string {
  try {
    return { backend: loadOnednnBackend(), addon: loadAddon() };
  } catch (error) {
    return `oneDNN addon unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function skipReason(native: Native | string): string | false {
  return typeof native === 'string' ? native : false;
}

export function randomValues(rng: Rng, shape: readonly number[], scale = 1): Float32Array {
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

/**
 * An input's layout: plain (false), the blocked layout oneDNN's convolutions prefer on this CPU for
 * its channel count (true), or a given channel block (8, 16) whatever the CPU.
 */
export type TestLayout = boolean | 8 | 16;

/**
 * A native tensor holding `values` in `blocked` layout: true asks a 1x1 identity convolution, which
 * returns the same values in the layout oneDNN prefers for that channel count.
 */
export function upload(
  n: Native,
  values: Float32Array,
  shape: readonly number[],
  blocked: TestLayout = false,
): TensorInfo {
  const plain = n.addon.fromFloat32(values, shape.length === 0 ? [1] : shape);
  if (!blocked || shape.length < 3) return { shape, storage: plain };
  if (blocked !== true) {
    const storage = n.addon.withChannelBlock(plain, blocked);
    n.addon.dispose(plain);
    return { shape, storage };
  }
  const c = shape[1]!;
  const eye = new Float32Array(c * c);
  for (let i = 0; i < c; i++) eye[i * c + i] = 1;
  const kernel = [c, c, ...shape.slice(2).map(() => 1)];
  const w = n.addon.fromFloat32(eye, kernel);
  const ones = shape.slice(2).map(() => 1);
  const zeros = shape.slice(2).map(() => 0);
  const out = n.addon.convForward([plain, w, null], {
    stride: ones,
    dilation: ones,
    padL: zeros,
    padR: zeros,
    transposed: false,
  });
  n.addon.dispose(plain);
  n.addon.dispose(w);
  return { shape, storage: out };
}

export interface Comparison {
  /** Largest |native - reference| over all outputs, divided by max(1, largest |reference|). */
  relativeError: number;
  layouts: string[];
}

/**
 * Runs `name` natively on `inputs` (uploaded, in blocked layout where `blocked` says so) and on
 * the reference backend, and compares every output.
 */
export function compareKernel<K extends KernelName>(
  n: Native,
  name: K,
  inputs: { values: Float32Array; shape: number[]; blocked?: TestLayout }[],
  attrs: KernelAttrMap[K],
): Comparison {
  const nativeKernel = getKernel('onednn', name);
  const referenceKernel = getKernel(referenceBackend.name, name);
  if (nativeKernel === undefined || referenceKernel === undefined) throw new Error(`kernel ${name} missing`);
  const nativeInputs = inputs.map((i) => upload(n, i.values, i.shape, i.blocked ?? false));
  const got = asArray(nativeKernel(nativeInputs, attrs, n.backend));
  const want = asArray(
    referenceKernel(
      inputs.map((i) => ({ shape: i.shape, storage: Float32Array.from(i.values) })),
      attrs,
      referenceBackend,
    ),
  );
  if (got.length < want.length)
    throw new Error(`${name}: ${got.length} outputs, reference has ${want.length}`);
  let worst = 0;
  const layouts: string[] = [];
  for (let k = 0; k < want.length; k++) {
    const g = got[k]!;
    const w = want[k]!;
    if (g.shape.join() !== w.shape.join())
      throw new Error(`${name}: shape [${g.shape}] vs reference [${w.shape}]`);
    layouts.push(n.addon.layout(g.storage as NativeHandle));
    const a = n.backend.toFloat32(g.storage, g.shape);
    const b = w.storage as Float32Array;
    let diff = 0;
    let scale = 1;
    for (let i = 0; i < b.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    worst = Math.max(worst, diff / scale);
  }
  for (const i of [...nativeInputs, ...got]) n.backend.dispose(i.storage);
  return { relativeError: worst, layouts };
}

function asArray(r: TensorInfo | TensorInfo[]): TensorInfo[] {
  return Array.isArray(r) ? r : [r];
}
