import type { Backend } from './backend.js';
import './backends/reference/index.js';
import { referenceBackend } from './backends/reference/storage.js';

/**
 * Backend selection. The oneDNN backend lives in `backends/onednn/index.ts`, which must export
 * `loadOnednnBackend(): Backend` (registering its kernels, throwing with a reason if the addon
 * cannot be loaded) and must not import `engine/index.ts` or this module.
 */

const backends = new Map<string, Backend>([[referenceBackend.name, referenceBackend]]);
let onednnProblem: string | null = null;

try {
  // A computed specifier: the module may not exist in every build.
  const specifier = './backends/onednn/index.js';
  const module = (await import(specifier)) as { loadOnednnBackend?: () => Backend };
  if (typeof module.loadOnednnBackend !== 'function') onednnProblem = 'loadOnednnBackend() not exported';
  else {
    const onednn = module.loadOnednnBackend();
    backends.set(onednn.name, onednn);
  }
} catch (error) {
  onednnProblem = error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

let active: Backend | null = null;

/** Makes `backend` available to setBackend() under its name. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Makes `name` ('reference' | 'onednn') the backend of newly created tensors. */
export function setBackend(name: string): void {
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
  const forced = process.env.MOSMOS_BACKEND;
  if (forced !== undefined && forced !== '') setBackend(forced);
  else if (backends.has('onednn')) setBackend('onednn');
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
  return [...backends.keys()];
}
