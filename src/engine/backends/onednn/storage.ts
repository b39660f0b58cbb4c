import type { Backend, Storage } from '../../backend.js';
import type { NativeAddon, NativeHandle } from './addon.js';

/** Native dims for a logical shape: oneDNN has no rank-0 tensors, so a scalar is stored as [1]. */
export function nativeDims(shape: readonly number[]): number[] {
  return shape.length === 0 ? [1] : [...shape];
}

/**
 * The oneDNN backend's storage: a native handle, possibly in a blocked layout; values are reordered
 * to plain row-major only when TypeScript reads them.
 */
export function createOnednnBackend(addon: NativeAddon): Backend {
  return {
    name: 'onednn',
    fromFloat32(values: Float32Array, shape: readonly number[]): Storage {
      return addon.fromFloat32(values, nativeDims(shape));
    },
    toFloat32(storage: Storage): Float32Array {
      return addon.toFloat32(storage as NativeHandle);
    },
    dispose(storage: Storage): void {
      addon.dispose(storage as NativeHandle);
    },
    memoryBytes(): number {
      return addon.liveBytes();
    },
    cpuIsa(): string {
      return addon.cpuIsa();
    },
  };
}
