/**
 * A network is a plain object holding its Parameters and sub-layers (in fields, arrays or nested
 * objects) plus a forward method. Walking the fields in declaration order gives PyTorch-style flat
 * names — `encoder.stages.0.block1.conv1.weight` — which are the safetensors keys of saved weights.
 */
import { keep, Parameter, Tensor, tensor } from '../engine/index.js';

function walk(
  value: unknown,
  prefix: string,
  out: [string, Tensor][],
  seen: Set<unknown>,
  buffers: boolean,
): void {
  if (value instanceof Tensor) {
    // Parameters always; other tensors held by a layer (running statistics) only when asked.
    if (!seen.has(value) && (buffers || value instanceof Parameter)) {
      seen.add(value);
      out.push([prefix, value]);
    }
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  if (ArrayBuffer.isView(value)) return;
  seen.add(value);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : value instanceof Map
      ? [...value.entries()].map(([k, v]) => [String(k), v])
      : Object.entries(value);
  for (const [key, child] of entries)
    walk(child, prefix === '' ? key : `${prefix}.${key}`, out, seen, buffers);
}

/** The parameters of a network with their flat names, in declaration order (shared ones once). */
export function namedParameters(module: object, prefix = ''): [string, Parameter][] {
  const out: [string, Tensor][] = [];
  walk(module, prefix, out, new Set(), false);
  return out as [string, Parameter][];
}

/** Parameters and buffers (e.g. batch-norm running statistics): everything a weights file stores. */
export function namedTensors(module: object, prefix = ''): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  walk(module, prefix, out, new Set(), true);
  return out;
}

/** Number of trainable scalars. */
export function parameterCount(module: object): number {
  return namedParameters(module).reduce((n, [, p]) => n + p.size, 0);
}

/** Values read from a weights file (a safetensors entry). */
export interface StoredArray {
  shape: readonly number[];
  values: ArrayLike<number>;
}

/** Name → parameter map (PyTorch's state_dict), names prefixed with `prefix.` when given. */
export function stateDict(module: object, prefix = ''): Map<string, Parameter> {
  return new Map(namedParameters(module, prefix));
}

/**
 * Copies values into the network's parameters by name. Every parameter must be present with the
 * same shape (a mismatch names the key), unless `strict` is false, when missing keys are listed.
 */
export function loadStateDict(
  module: object,
  values: ReadonlyMap<string, StoredArray>,
  options: { prefix?: string; strict?: boolean } = {},
): { missing: string[] } {
  const missing: string[] = [];
  for (const [name, param] of namedTensors(module, options.prefix ?? '')) {
    const value = values.get(name);
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    if (value.shape.length !== param.shape.length || value.shape.some((d, i) => d !== param.shape[i]))
      throw new Error(`${name}: saved shape [${value.shape}] does not match the network's [${param.shape}]`);
    // A copy, so the network never shares storage with the loaded file's tensors.
    param.assign(keep(tensor(Float32Array.from(value.values), param.shape)));
  }
  if ((options.strict ?? true) && missing.length > 0)
    throw new Error(`missing weights: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  return { missing };
}
