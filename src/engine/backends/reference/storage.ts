import type { Backend, Storage } from '../../backend.js';

/** The plain-TypeScript backend: storage is a row-major Float32Array, freed by the garbage collector. */
export const referenceBackend: Backend = {
  name: 'reference',
  fromFloat32(values: Float32Array): Storage {
    return values;
  },
  toFloat32(storage: Storage): Float32Array {
    return storage as Float32Array;
  },
  dispose(): void {},
};

/** The Float32Array behind a reference-backend TensorInfo. */
export function values(info: { readonly storage: Storage }): Float32Array {
  return info.storage as Float32Array;
}
