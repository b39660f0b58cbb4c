/**
 * The contract between the engine and a compute backend. A backend owns tensor storage (the
 * reference backend: a plain row-major Float32Array; oneDNN: a handle to native memory, possibly in
 * a blocked layout) and provides kernels, registered by name in `kernel-registry.ts`.
 */

/** Opaque per-backend storage of one tensor's float32 values; only its backend looks inside. */
export type Storage = unknown;

/** What a kernel sees of a tensor: its logical NC(D)HW shape and its backend's storage. */
export interface TensorInfo {
  readonly shape: readonly number[];
  readonly storage: Storage;
}

export interface Backend {
  /** 'reference', 'onednn', ... — the key kernels are registered under. */
  readonly name: string;
  /** Storage holding `values` (plain row-major, length = product of `shape`); may keep `values`. */
  fromFloat32(values: Float32Array, shape: readonly number[]): Storage;
  /**
   * The values in plain row-major order. The result may share memory with the storage (the
   * reference backend returns it as is), so callers must not mutate it.
   */
  toFloat32(storage: Storage, shape: readonly number[]): Float32Array;
  /** Frees the storage. Called once per tensor; a backend that shares storage must count references. */
  dispose(storage: Storage): void;
  /** Bytes of tensor storage currently alive, where the backend knows it. */
  memoryBytes?(): number;
  /** The CPU instruction set a native backend dispatches to (e.g. oneDNN's 'avx2'). */
  cpuIsa?(): string;
}
