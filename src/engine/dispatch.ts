import type { Backend, TensorInfo } from './backend.js';
import { getBackend } from './backend-select.js';
import { referenceBackend } from './backends/reference/storage.js';
import type { KernelAttrMap, KernelName } from './kernel-names.js';
import { getKernel } from './kernel-registry.js';
import { Tensor } from './tensor.js';

/**
 * Runs kernel `name` on the inputs' backend. If that backend lacks the kernel, the reference kernel
 * runs on plain copies of the inputs and its results are uploaded back, so a backend only needs the
 * kernels that matter for speed. Inputs on different backends are moved to the active one.
 */
export function runKernel<K extends KernelName>(
  name: K,
  inputs: readonly Tensor[],
  attrs: KernelAttrMap[K],
): Tensor[] {
  let backend: Backend = inputs[0]?.backend ?? getBackend();
  if (inputs.some((t) => t.backend !== backend)) backend = getBackend();
  // Inputs from another backend get temporary copies, freed once the kernel has run.
  const moved: TensorInfo[] = [];
  const infos: TensorInfo[] = inputs.map((t) => {
    if (t.backend === backend) return { shape: t.shape, storage: t.storage };
    const copy = { shape: t.shape, storage: backend.fromFloat32(Float32Array.from(t.data()), t.shape) };
    moved.push(copy);
    return copy;
  });
  try {
    return runOn(backend, name, infos, attrs);
  } finally {
    for (const info of moved) backend.dispose(info.storage);
  }
}

function runOn<K extends KernelName>(
  backend: Backend,
  name: K,
  infos: readonly TensorInfo[],
  attrs: KernelAttrMap[K],
): Tensor[] {
  const kernel = getKernel(backend.name, name);
  if (kernel !== undefined) return wrap(kernel(infos, attrs, backend), backend);
  const reference = getKernel(referenceBackend.name, name);
  if (reference === undefined) throw new Error(`no kernel '${name}' on any backend`);
  const plain = infos.map((info) => ({
    shape: info.shape,
    storage: backend.toFloat32(info.storage, info.shape),
  }));
  const results = asArray(reference(plain, attrs, referenceBackend));
  return results.map(
    (r) => new Tensor(r.shape, backend.fromFloat32(r.storage as Float32Array, r.shape), backend),
  );
}

/** runKernel for kernels with one output. */
export function runKernel1<K extends KernelName>(
  name: K,
  inputs: readonly Tensor[],
  attrs: KernelAttrMap[K],
): Tensor {
  return runKernel(name, inputs, attrs)[0]!;
}

function asArray(result: TensorInfo | TensorInfo[]): TensorInfo[] {
  return Array.isArray(result) ? result : [result];
}

function wrap(result: TensorInfo | TensorInfo[], backend: Backend): Tensor[] {
  return asArray(result).map((r) => new Tensor(r.shape, r.storage, backend));
}
