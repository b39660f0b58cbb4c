import type { Backend, TensorInfo } from './backend.js';
import type { KernelAttrMap, KernelName } from './kernel-names.js';

/** A kernel: inputs' storage in, new storage out (never mutating its inputs). */
export type KernelFunc<A> = (
  inputs: readonly TensorInfo[],
  attrs: A,
  backend: Backend,
) => TensorInfo | TensorInfo[];

const kernels = new Map<string, KernelFunc<unknown>>();

const key = (backendName: string, kernelName: string): string => `${backendName}/${kernelName}`;

/** Makes `fn` the implementation of `kernelName` on `backendName`, replacing any earlier one. */
export function registerKernel<K extends KernelName>(
  backendName: string,
  kernelName: K,
  fn: KernelFunc<KernelAttrMap[K]>,
): void {
  kernels.set(key(backendName, kernelName), fn as KernelFunc<unknown>);
}

/** The kernel registered for `kernelName` on `backendName`, if any. */
export function getKernel<K extends KernelName>(
  backendName: string,
  kernelName: K,
): KernelFunc<KernelAttrMap[K]> | undefined {
  return kernels.get(key(backendName, kernelName)) as KernelFunc<KernelAttrMap[K]> | undefined;
}

/** Names of the kernels registered on `backendName`. */
export function registeredKernels(backendName: string): string[] {
  const prefix = `${backendName}/`;
  return [...kernels.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}
