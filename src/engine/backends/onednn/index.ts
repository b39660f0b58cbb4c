import type { Backend } from '../../backend.js';
import { loadAddon, type NativeAddon } from './addon.js';
import { registerElementwiseKernels } from './kernels-elementwise.js';
import { registerLayerKernels } from './kernels-layers.js';
import { createOnednnBackend } from './storage.js';

export type { NativeAddon, NativeHandle } from './addon.js';
export { addonPath, loadAddon } from './addon.js';

let backend: Backend | null = null;

/**
 * The oneDNN backend: loads the N-API addon (throwing a one-line reason when it is missing or
 * broken, so the engine falls back to the reference backend) and registers its kernels.
 */
export function loadOnednnBackend(): Backend {
  if (backend !== null) return backend;
  const addon: NativeAddon = loadAddon();
  registerLayerKernels(addon);
  registerElementwiseKernels(addon);
  backend = createOnednnBackend(addon);
  return backend;
}
