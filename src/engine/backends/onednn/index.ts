import type { Backend } from '../../backend.js';
import { bf16SupportForIsa, precisionFor } from '../../precision-support.js';
import { type EngineSettings, engineSettings, onSettingsChange } from '../../settings.js';
import { configureAddon, loadAddon, type NativeAddon } from './addon.js';
import { registerElementwiseKernels } from './kernels-elementwise.js';
import { registerLayerKernels } from './kernels-layers.js';
import { createOnednnBackend } from './storage.js';

export type { NativeAddon, NativeHandle } from './addon.js';
export { addonPath, loadAddon } from './addon.js';
export { type NativeKernelName, type NativeKernels, nativeKernelSpecs } from './kernel-specs.js';

let backend: Backend | null = null;

/** bf16 where the settings ask for it and the CPU has it; an unsupported explicit bf16 runs fp32 here
 * (resolvePrecision, which the CLIs call first, is where it becomes an error). */
function applySettings(addon: NativeAddon, settings: EngineSettings): void {
  const support = bf16SupportForIsa(addon.cpuIsa());
  const precision =
    settings.precision === 'bf16' && !support.supported ? 'fp32' : precisionFor(settings.precision, support);
  configureAddon(addon, settings, precision);
}

/**
 * The oneDNN backend: loads the N-API addon (throwing a one-line reason when it is missing or
 * broken, so the engine falls back to the reference backend), applies the engine's settings and
 * registers its kernels. Called on the engine's first use, not at import.
 */
export function loadOnednnBackend(): Backend {
  if (backend !== null) return backend;
  const addon: NativeAddon = loadAddon();
  applySettings(addon, engineSettings());
  onSettingsChange((settings) => applySettings(addon, settings));
  registerLayerKernels(addon);
  registerElementwiseKernels(addon);
  backend = createOnednnBackend(addon);
  return backend;
}
