import type { Backend, Storage } from './backend.js';
import { trackTensor, untrackTensor } from './memory.js';

/** How a tensor was computed, for reverse-mode autograd: its inputs and its vector-Jacobian product. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Gradients with respect to each input (null where an input needs none), given dL/d(output). */
  readonly backward: (dy: Tensor) => (Tensor | null)[];
}

// Safety net only: a tensor that is garbage-collected without dispose() still frees native memory.
const finalizer = new FinalizationRegistry<{ backend: Backend; storage: Storage }>((held) => {
  held.backend.dispose(held.storage);
});

let nextId = 0;

/**
 * A float32 tensor in row-major N, C, (D,) H, W order, stored by its backend. Values reach TypeScript
 * only through `data()` / `toFloat32Array()`. Free it with `dispose()` or inside `tidy()`.
 */
export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly backend: Backend;
  /** Leaf tensors with requiresGrad receive `grad` from `backward()`; results of ops on them carry gradFn. */
  requiresGrad = false;
  grad: Tensor | null = null;
  gradFn: GradNode | null = null;
  private storageRef: Storage | null;

  constructor(shape: readonly number[], storage: Storage, backend: Backend) {
    this.shape = Object.freeze([...shape]);
    this.storageRef = storage;
    this.backend = backend;
    finalizer.register(this, { backend, storage }, this);
    trackTensor(this);
  }

  /** The backend's storage; throws if the tensor was disposed. */
  get storage(): Storage {
    if (this.storageRef === null) throw new Error(`tensor ${this.id} [${this.shape}] used after dispose()`);
    return this.storageRef;
  }

  get size(): number {
    return shapeSize(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storageRef === null;
  }

  /** Values in plain row-major order. May share memory with the tensor: do not mutate. */
  data(): Float32Array {
    return this.backend.toFloat32(this.storage, this.shape);
  }

  /** A fresh copy of the values in plain row-major order. */
  toFloat32Array(): Float32Array {
    return Float32Array.from(this.data());
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item() needs a one-element tensor, got shape [${this.shape}]`);
    return this.data()[0]!;
  }

  /** Frees the storage now; later use throws. Disposing twice is harmless. */
  dispose(): void {
    if (this.storageRef === null) return;
    finalizer.unregister(this);
    this.backend.dispose(this.storageRef);
    this.storageRef = null;
    this.gradFn = null;
    untrackTensor(this);
  }

  /**
   * Replaces the values in place with `source`'s (same shape), taking its storage; `source` is then
   * disposed. Used by optimizers and running statistics; it is not recorded by autograd.
   */
  assign(source: Tensor): void {
    if (!sameShape(source.shape, this.shape)) {
      throw new Error(`cannot assign shape [${source.shape}] to a tensor of shape [${this.shape}]`);
    }
    if (source.backend !== this.backend) {
      // Values computed on another backend (e.g. after setBackend) are copied into this one.
      const copied = this.backend.fromFloat32(Float32Array.from(source.data()), this.shape);
      source.dispose();
      this.replaceStorage(copied);
      return;
    }
    const storage = source.storage;
    finalizer.unregister(source);
    source.storageRef = null;
    untrackTensor(source);
    this.replaceStorage(storage);
  }

  private replaceStorage(storage: Storage): void {
    if (this.storageRef !== null) {
      finalizer.unregister(this);
      this.backend.dispose(this.storageRef);
    }
    this.storageRef = storage;
    finalizer.register(this, { backend: this.backend, storage }, this);
  }

  toString(): string {
    return `Tensor(id=${this.id}, shape=[${this.shape}], backend=${this.backend.name})`;
  }
}

/**
 * A trainable tensor: requires grad, is never freed by `tidy()`, and is updated in place by
 * optimizers through `assign()`.
 */
export class Parameter extends Tensor {
  name: string | undefined;

  constructor(shape: readonly number[], storage: Storage, backend: Backend, name?: string) {
    super(shape, storage, backend);
    this.requiresGrad = true;
    this.name = name;
    untrackTensor(this);
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
