/** Worker thread body for `PreparePool`: reads and preprocesses images off the training thread. */
import { parentPort } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { loadPrepared, type PreprocessSettings } from './preprocess.js';
import { VolumeCache } from './volume-cache.js';

interface Job {
  id: number;
  path: string;
  settings: PreprocessSettings;
  cacheDir?: string;
}

parentPort?.on('message', async (job: Job) => {
  try {
    const cache = job.cacheDir ? new VolumeCache(job.cacheDir) : undefined;
    const volume = await loadPrepared(job.path, job.settings, cache);
    parentPort!.postMessage({ id: job.id, volume }, [volume.data.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({
      id: job.id,
      error: (error as Error).message,
      input: error instanceof InputError,
    });
  }
});
