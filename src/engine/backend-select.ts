import type { Backend } from './backend.js';
import './backends/reference/index.js';
import { loadOnednnBackend } from './backends/onednn/index.js';
import { referenceBackend } from './backends/reference/storage.js';
import { engineSettings } from './settings.js';

/**
 * Backend selection. The oneDNN backend lives in `backends/onednn/index.ts`, whose
 * `loadOnednnBackend(): Backend` registers its kernels or throws with a reason when the addon cannot
 * be loaded; it must not import `engine/index.ts` or this module.
 */

const backends = new Map<string, Backend>([[referenceBackend.name, referenceBackend]]);
let onednnProblem: string | null = null;
let onednnTried = false;

/**
 * Loads the oneDNN backend the first time a backend is needed (importing the engine loads no
 * addon and changes no environment variable); afterwards it is in `backends` or `onednnProblem`
 * says why not. This is the one place where the engine falls back to the reference backend.
 */
function tryOnednn(): void {
  if (onednnTried) return;
  onednnTried = true;
  try {
    const onednn = loadOnednnBackend();
    backends.set(onednn.name, onednn);
  } catch (error) {
    onednnProblem = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
}

let active: Backend | null = null;

/** Makes `backend` available to setBackend() under its name. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Makes `name` ('reference' | 'onednn') the backend of newly created tensors. */
export function setBackend(name: string): void {
  if (name === 'onednn') tryOnednn();
  const backend = backends.get(name);
  if (backend === undefined) {
    const why = name === 'onednn' && onednnProblem !== null ? ` (${onednnProblem})` : '';
    throw new Error(
      `backend '${name}' is not available${why}; available: ${[...backends.keys()].join(', ')}`,
    );
  }
  active = backend;
}

/**
 * The active backend. By default oneDNN when its addon loads; otherwise the reference backend, with
 * one warning on stderr. MOSMOS_BACKEND=reference|onednn forces a choice.
 */
export function getBackend(): Backend {
  if (active !== null) return active;
  const forced = engineSettings().backend;
  if (forced !== null) {
    setBackend(forced);
    return active!;
  }
  tryOnednn();
  if (backends.has('onednn')) setBackend('onednn');
  else {
    process.stderr.write(
      `mosmos: oneDNN addon not available (${onednnProblem ?? 'not built'}); using the slow reference backend\n`,
    );
    setBackend('reference');
  }
  return active!;
}

/** Names of the backends that can be selected. */
export function availableBackends(): string[] {
  tryOnednn();
  return [...backends.keys()];
}
