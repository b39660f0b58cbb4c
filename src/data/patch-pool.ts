/**
 * Training patches cut and augmented in a worker thread, so augmentation (resampling, blur, noise)
 * overlaps the training step on the main thread; the training loop reads ahead. A step's patches come
 * from `PatchSampler.batchForStep`, which depends only on (seed, step): the worker and the main
 * thread give identical batches, so a resumed run repeats exactly either way.
 */
import { Worker } from 'node:worker_threads';
import {
  type LabelledVolume,
  type PatchBatch,
  PatchSampler,
  type PatchSamplerOptions,
} from './patch-sampler.js';

export class PatchPool {
  private worker: Worker | null = null;
  private readonly local: PatchSampler | null;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (b: PatchBatch) => void; reject: (e: Error) => void }
  >();

  /** `useWorker: false` samples on the calling thread (tests, tiny runs). */
  constructor(
    volumes: readonly LabelledVolume[],
    size: readonly [number, number, number],
    options: PatchSamplerOptions,
    useWorker = true,
  ) {
    this.local = useWorker ? null : new PatchSampler(volumes, size, options);
    if (!useWorker) return;
    // Under tsx (tests, development) the worker is TypeScript and must register tsx itself.
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(
            new URL('./patch-worker.ts', import.meta.url).href,
          )}))`,
          { eval: true },
        )
      : new Worker(new URL('./patch-worker.js', import.meta.url));
    worker.on('message', (m: { id: number; batch?: PatchBatch; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.batch) p.resolve(m.batch);
      else p.reject(new Error(m.error ?? 'patch worker failed'));
      if (this.pending.size === 0) worker.unref();
    });
    worker.on('error', (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
    worker.unref();
    // Copies the volumes once (structured clone); the main thread keeps its own for validation.
    worker.postMessage({ kind: 'init', volumes, size, options });
    this.worker = worker;
  }

  /** The patches of training step `step`. */
  batch(count: number, seed: number, step: number): Promise<PatchBatch> {
    if (this.local) return Promise.resolve(this.local.batchForStep(count, seed, step));
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<PatchBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ kind: 'batch', id, count, seed, step });
    });
  }

  /** Stops the worker (read-ahead requests still pending are rejected). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    // Not awaited: on Node 20 terminating a worker while it is mid-batch can leave the returned
    // promise pending for good (seen at a Ctrl-C with batches read ahead); the thread still stops.
    for (const p of this.pending.values()) p.reject(new Error('patch pool closed'));
    this.pending.clear();
    w.unref();
    void w.terminate().catch(() => {});
  }
}
