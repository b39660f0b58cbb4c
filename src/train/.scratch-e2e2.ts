import { rmSync } from 'node:fs';
import { pretrain } from './pretrain.js';
import { defaultPretrainConfig } from './pretrain-config.js';
import { writeSyntheticPairs } from './synthetic-pairs.js';

const dir = '/tmp/nnwork/syn2';
rmSync(dir, { recursive: true, force: true });
const size = Number(process.env.SIZE ?? 16);
await writeSyntheticPairs(dir, { cases: Number(process.env.CASES ?? 64), seed: 1, size, slices: 4 });
const t1 = performance.now();
const r = await pretrain({
  ...defaultPretrainConfig,
  pairs: `${dir}/pairs.jsonl`,
  out: `${dir}/run`,
  tags: 'btcv',
  alwaysImaged: [],
  epochs: Number(process.env.EPOCHS ?? 15),
  batch: Number(process.env.BATCH ?? 8),
  lr: Number(process.env.LR ?? 3e-3),
  sliceSize: size,
  slicesPerVolume: 2,
  widths: [8, 16],
  embedDim: 32,
  validationFraction: 0.25,
  lambda: Number(process.env.LAMBDA ?? 1),
  augment: process.env.AUG === "1",
  worker: false,
  preprocess: {
    spacing: [(1.5 * 32) / size, (1.5 * 32) / size, 3],
    intensity: { kind: 'ct', min: -175, max: 250 },
  },
});
console.log('train', (performance.now() - t1).toFixed(0), 'ms', r.steps, 'steps');
