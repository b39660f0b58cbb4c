import { rmSync } from 'node:fs';
import { pretrain } from './pretrain.js';
import { defaultPretrainConfig } from './pretrain-config.js';
import { writeSyntheticPairs } from './synthetic-pairs.js';

const dir = '/tmp/nnwork/syn';
rmSync(dir, { recursive: true, force: true });
const t0 = performance.now();
await writeSyntheticPairs(dir, { cases: Number(process.env.CASES ?? 48), seed: 1 });
console.log('data', (performance.now() - t0).toFixed(0), 'ms');
const t1 = performance.now();
const r = await pretrain({
  ...defaultPretrainConfig,
  pairs: `${dir}/pairs.jsonl`,
  out: `${dir}/run`,
  tags: 'btcv',
  alwaysImaged: [],
  epochs: Number(process.env.EPOCHS ?? 3),
  batch: 8,
  lr: 2e-3,
  sliceSize: 32,
  slicesPerVolume: 4,
  widths: [8, 16, 32],
  embedDim: 32,
  validationFraction: 0.33,
  augment: false,
  worker: process.env.WORKER !== '0',
});
console.log('train', (performance.now() - t1).toFixed(0), 'ms', r.steps, 'steps');
