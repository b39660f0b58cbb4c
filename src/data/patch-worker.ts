/** Worker thread body for `PatchPool`: cuts and augments training patches off the training thread. */
import { parentPort } from 'node:worker_threads';
import { type LabelledVolume, PatchSampler, type PatchSamplerOptions } from './patch-sampler.js';

type Message =
  | {
      kind: 'init';
      volumes: LabelledVolume[];
      size: [number, number, number];
      options: PatchSamplerOptions;
    }
  | { kind: 'batch'; id: number; count: number; seed: number; step: number };

let sampler: PatchSampler | null = null;

parentPort?.on('message', (m: Message) => {
  if (m.kind === 'init') {
    sampler = new PatchSampler(m.volumes, m.size, m.options);
    return;
  }
  try {
    const batch = sampler!.batchForStep(m.count, m.seed, m.step);
    parentPort!.postMessage({ id: m.id, batch }, [
      batch.images.buffer as ArrayBuffer,
      batch.labels.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    parentPort!.postMessage({ id: m.id, error: (error as Error).message });
  }
});
