import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadSafetensors, seed } from '../engine/index.js';
import { readModelInfo } from '../infer/model-description.js';
import { writeNifti } from '../io/nifti/index.js';
import { namedParameters } from '../nn/module.js';
import { buildSegmentationNetwork } from '../nn/segmentation-network.js';
import type { Volume } from '../volume/volume.js';
import { finetune } from './finetune.js';
import { defaultFinetuneConfig, type FinetuneConfig } from './finetune-config.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-freeze-'));
after(() => rmSync(root, { recursive: true, force: true }));
const quiet = { log: () => {}, progressStream: { write: () => true } };

/** BTCV-layout cases: a bright ball labelled liver (6) in soft tissue. */
async function writeDataset(dir: string, cases: number): Promise<void> {
  mkdirSync(join(dir, 'img'), { recursive: true });
  mkdirSync(join(dir, 'label'), { recursive: true });
  const [nx, ny, nz] = [16, 16, 2];
  for (let c = 1; c <= cases; c++) {
    const image = new Int16Array(nx * ny * nz);
    const label = new Uint8Array(nx * ny * nz);
    for (let i = 0; i < image.length; i++) {
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const inside = (x - 6 - (c % 3)) ** 2 + (y - 7) ** 2 < 16;
      image[i] = (inside ? 200 : 40) + ((i * 31 + c) % 17);
      label[i] = inside ? 6 : 0;
    }
    const base = {
      dims: [nx, ny, nz],
      spacing: [4, 4, 5] as [number, number, number],
      affine: [
        [4, 0, 0, 0],
        [0, 4, 0, 0],
        [0, 0, 5, 0],
        [0, 0, 0, 1],
      ],
    };
    const name = String(c).padStart(4, '0');
    await writeNifti(join(dir, 'img', `img${name}.nii.gz`), {
      ...base,
      data: image,
      datatype: 'int16',
    } as Volume);
    await writeNifti(join(dir, 'label', `label${name}.nii.gz`), {
      ...base,
      data: label,
      datatype: 'uint8',
    } as Volume);
  }
}

const config = (out: string, extra: Partial<FinetuneConfig> = {}): FinetuneConfig => ({
  ...defaultFinetuneConfig,
  data: join(root, 'data'),
  out: join(root, out),
  attentionMaps: true,
  tags: 'btcv',
  widths: [8, 16],
  patch: [16, 16],
  batch: 2,
  epochs: 1,
  stepsPerEpoch: 3,
  valEvery: 1,
  lr: 1e-2,
  preprocess: { spacing: [4, 4, 5], intensity: { kind: 'ct', min: -175, max: 250 } },
  ...extra,
});

/** The saved values of a run's last weights next to the values the same seed initialises. */
async function savedAndInitial(run: string, seedValue: number) {
  const saved = await loadSafetensors(join(run, 'last.safetensors'));
  seed(seedValue);
  const initial = new Map(
    namedParameters(buildSegmentationNetwork(readModelInfo(run).network)).map(([k, p]) => [
      k,
      p.toFloat32Array(),
    ]),
  );
  const same = (key: string) => {
    const a = saved.tensors[key]!.values;
    const b = initial.get(key)!;
    return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  };
  return same;
}

test('--freeze-tags keeps the tag queries and map projections bit-equal through fine-tuning steps', async () => {
  await writeDataset(join(root, 'data'), 5);
  await finetune(config('frozen', { labelledCases: 2 }), quiet);
  const splits = JSON.parse(readFileSync(join(root, 'frozen', 'splits.json'), 'utf8'));
  assert.equal(splits.train.length, 2, '--labelled-cases 2 uses exactly 2 labelled cases');
  const frozen = await savedAndInitial(join(root, 'frozen'), 0);
  assert.ok(frozen('attention.tagQueries'));
  assert.ok(frozen('attention.stageProjections.0.weight'));
  assert.ok(frozen('attention.stageProjections.0.bias'));
  assert.ok(!frozen('imageEncoder.stem.weight'), 'the rest of the network trains');

  await finetune(config('free', { freezeTags: false }), quiet);
  const free = await savedAndInitial(join(root, 'free'), 0);
  assert.ok(!free('attention.tagQueries'), 'without --freeze-tags the queries move');
});
