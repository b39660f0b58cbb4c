// The share of a fine-tuning step spent waiting for data. The loop in src/train/finetune.ts draws
// each batch with PatchSampler.batch (foreground-balanced crops, mirroring, intensity jitter) on the
// training thread, between optimizer steps, so every millisecond of it is waited for. This case times
// that draw and the 2D U-Net step of the demo plan (bench/engine-networks.ts) alternately on
// synthetic preprocessed volumes and prints wait / (wait + step).
import { PatchSampler } from '../src/data/patch-sampler.js';
import { buildNetworkCase, networkSpecs } from './engine-networks.js';

function syntheticVolumes(count: number, dims: [number, number, number]) {
  const [nx, ny, nz] = dims;
  return Array.from({ length: count }, (_, v) => {
    const image = new Float32Array(nx * ny * nz);
    const label = new Uint8Array(nx * ny * nz);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const i = (z * ny + y) * nx + x;
          const r = Math.hypot(x - nx / 2, y - ny / 2) / (nx / 3);
          image[i] = Math.cos(r * 3 + v) + 0.1 * Math.sin(i);
          label[i] = r < 1 ? 1 + ((x + y + z) % 13) : 0;
        }
    return { image, label, dims };
  });
}

export async function dataWaitCase(): Promise<Record<string, unknown>> {
  const spec = networkSpecs.unet2d!;
  // Volumes as the demo's fine-tuning holds them (4 mm plan of a 96×96×48 phantom).
  const volumes = syntheticVolumes(4, [96, 96, 48]);
  const [h, w] = spec.size as [number, number];
  const sampler = new PatchSampler(volumes, [w, h, 1], { positiveFraction: 0.5, augment: true });
  const step = buildNetworkCase('unet2d').trainStep;
  let state = 7;
  const rng = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  let waited = 0;
  let stepped = 0;
  const rounds = 6;
  for (let i = 0; i < rounds + 1; i++) {
    const t0 = performance.now();
    sampler.batch(spec.batch, rng, i * spec.batch);
    const t1 = performance.now();
    step();
    const t2 = performance.now();
    if (i === 0) continue; // warm-up
    waited += t1 - t0;
    stepped += t2 - t1;
  }
  return {
    ms: Math.round((stepped / rounds) * 10) / 10,
    data_ms: Math.round((waited / rounds) * 100) / 100,
    wait_share: Math.round((waited / (waited + stepped)) * 10000) / 10000,
    pipeline: 'PatchSampler.batch on the training thread (src/train/finetune.ts), augment on',
  };
}
