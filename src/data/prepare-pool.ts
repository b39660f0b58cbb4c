/**
 * Reads and preprocesses images in a worker thread, so decompression, reorientation and resampling
 * overlap the training steps on the main thread (combine with `prefetch` for read-ahead).
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { loadPrepared, type PreprocessSettings } from './preprocess.js';
import { type PreparedVolume, VolumeCache } from './volume-cache.js';

interface Pending {
  resolve: (v: PreparedVolume) => void;
  reject: (e: Error) => void;
}

export class PreparePool {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  /** `useWorker: false` prepares on the calling thread (tests, one-off commands). */
  constructor(
    readonly settings: PreprocessSettings,
    readonly cacheDir?: string,
    readonly useWorker = true,
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    // Built, the worker is JavaScript. Under tsx (tests, development) it is TypeScript, and a worker
    // thread does not inherit the parent's loader hooks, so it registers tsx before importing it.
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(
            new URL('./prepare-worker.ts', import.meta.url).href,
          )}))`,
          { eval: true },
        )
      : new Worker(new URL('./prepare-worker.js', import.meta.url));
    worker.on('message', (m: { id: number; volume?: PreparedVolume; error?: string; input?: boolean }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.volume) p.resolve(m.volume);
      else p.reject(m.input ? new InputError(m.error ?? 'unreadable image') : new Error(m.error));
    });
    worker.on('error', (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.worker = null;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** The preprocessed image at `path`. */
  prepare(path: string): Promise<PreparedVolume> {
    if (!this.useWorker)
      return loadPrepared(path, this.settings, this.cacheDir ? new VolumeCache(this.cacheDir) : undefined);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, path, settings: this.settings, cacheDir: this.cacheDir });
    }).finally(() => {
      if (this.pending.size === 0) this.worker?.unref();
    }) as Promise<PreparedVolume>;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
