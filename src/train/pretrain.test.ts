import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSafetensors } from '../engine/index.js';
import { InputError } from '../errors.js';
import { readNifti } from '../io/nifti/index.js';
import { namedParameters } from '../nn/module.js';
import { buildSegmentationNetwork } from '../nn/segmentation-network.js';
import { attentionFileName, exportAttention } from './export-attention.js';
import { pretrain } from './pretrain.js';
import { defaultPretrainConfig, type PretrainConfig } from './pretrain-config.js';
import { initializeFromPretrained, readPretrainedParts } from './pretrained-encoder.js';
import { readMetrics, readRunInfo } from './run-record.js';
import type { StopSignal } from './stop-signal.js';
import { writeSyntheticPairs } from './synthetic-pairs.js';

const quiet = { log: () => {}, progressStream: { write: () => true, isTTY: false } };
const stopNever: StopSignal = { requested: false, request() {}, dispose() {} };

async function tinySetup() {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-pretrain-'));
  await writeSyntheticPairs(dir, { cases: 10, seed: 4, size: 16, slices: 4 });
  const config = (out: string): PretrainConfig => ({
    ...defaultPretrainConfig,
    pairs: join(dir, 'pairs.jsonl'),
    out: join(dir, out),
    tags: 'btcv',
    alwaysImaged: [],
    epochs: 2,
    batch: 4,
    patch: [16, 16],
    bagStrideMm: 6,
    widths: [4, 8],
    embedDim: 16,
    maxTokens: 48,
    vocabSize: 300,
    preprocess: { spacing: [3, 3, 3], intensity: { kind: 'ct', min: -175, max: 250 } },
    worker: false,
  });
  return { dir, config };
}

async function checkpointValues(run: string): Promise<Map<string, Float32Array | Int32Array>> {
  const sidecar = JSON.parse(readFileSync(join(run, 'checkpoint.json'), 'utf8')) as { weights: string };
  const file = await loadSafetensors(join(run, sidecar.weights));
  return new Map(Object.entries(file.tensors).map(([k, v]) => [k, v.values]));
}

test('pre-training writes run.json, metrics and a checkpoint; an interrupted run resumes exactly', async () => {
  const { config } = await tinySetup();
  const full = await pretrain(config('full'), { ...quiet, stop: stopNever });
  assert.equal(full.steps, 4); // 8 training pairs / batch 4 × 2 epochs
  assert.equal(full.interrupted, false);
  const info = readRunInfo(full.runDir);
  assert.equal(info.command, 'pretrain');
  assert.match(info.dataFingerprint, /^[0-9a-f]{64}$/);
  const epochs = readMetrics(full.runDir).filter((m) => m.type === 'epoch');
  assert.equal(epochs.length, 2);
  // A number, not NaN (typeof NaN is 'number'): a mean average precision in [0, 1].
  for (const epoch of epochs) {
    const tagMap = epoch.tagMap as number;
    assert.ok(Number.isFinite(tagMap) && tagMap >= 0 && tagMap <= 1, `tagMap ${tagMap}`);
  }
  assert.ok(existsSync(join(full.runDir, 'vocab.txt')));

  // Ctrl-C after the third step (mid-epoch 2), then --resume.
  const cut = config('cut');
  let reads = 0;
  const stopAfterThree: StopSignal = {
    get requested() {
      return readMetrics(cut.out).filter((m) => m.type === 'step').length >= 3 && ++reads > 0;
    },
    request() {},
    dispose() {},
  };
  const first = await pretrain(cut, { ...quiet, stop: stopAfterThree });
  assert.equal(first.interrupted, true);
  assert.equal(first.steps, 3);
  const second = await pretrain({ ...cut, resume: true }, { ...quiet, stop: stopNever });
  assert.equal(second.steps, 1);
  // Same data order, schedule position, optimizer moments and RNG: bit-identical weights.
  const a = await checkpointValues(full.runDir);
  const b = await checkpointValues(second.runDir);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [key, values] of a) assert.deepEqual(b.get(key), values, key);

  // A fresh run refuses to overwrite an existing one.
  await assert.rejects(pretrain(config('full'), { ...quiet, stop: stopNever }), InputError);
});

test('attention maps are written per tag on the input grid and sum to 1 over tags', async () => {
  const { dir, config } = await tinySetup();
  const run = await pretrain({ ...config('run'), epochs: 1 }, { ...quiet, stop: stopNever });
  const out = join(dir, 'attention');
  const files = await exportAttention(join(dir, 'case000.nii.gz'), run.runDir, out);
  assert.equal(files.length, 13);
  assert.ok(files[1]!.endsWith(attentionFileName('right kidney')));
  assert.ok(files[1]!.endsWith('attention_right_kidney.nii.gz'));
  const input = await readNifti(join(dir, 'case000.nii.gz'));
  const maps = await Promise.all(files.map((f) => readNifti(f)));
  assert.deepEqual(maps[0]!.dims, input.dims);
  assert.deepEqual(maps[0]!.affine, input.affine);
  // Linear resampling preserves a partition of unity: tolerance 1e-4 (float32 over 13 maps).
  for (let i = 0; i < input.data.length; i += 37) {
    const total = maps.reduce((s, m) => s + m.data[i]!, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `voxel ${i}: ${total}`);
  }
  await assert.rejects(exportAttention(join(dir, 'case000.nii.gz'), run.runDir, out), /exists/);
});

test('bad pairs lines stop the run with the line named, or are skipped and counted', async () => {
  const { dir, config } = await tinySetup();
  const manifest = join(dir, 'pairs.jsonl');
  writeFileSync(
    manifest,
    `${readFileSync(manifest, 'utf8')}{"image":"missing.nii.gz","report":"The liver is normal."}\n`,
  );
  await assert.rejects(
    pretrain(config('bad'), { ...quiet, stop: stopNever }),
    /pairs\.jsonl:11: image not found/,
  );
  const run = await pretrain({ ...config('skip'), skipBad: true, epochs: 1 }, { ...quiet, stop: stopNever });
  assert.deepEqual(
    run.skipped.map((s) => s.line),
    [11],
  );
});

test('3D pre-training (UNETR ViT on patches) runs and exports attention maps on the input grid', async () => {
  const { dir, config } = await tinySetup();
  const run = await pretrain(
    { ...config('unetr'), arch: 'unetr', vit: 'tiny', epochs: 1 },
    { ...quiet, stop: stopNever },
  );
  assert.equal(run.steps, 2);
  const metrics = run.validation[0]!.metrics;
  assert.ok(metrics.pairs > 0, `${metrics.pairs} validation pairs`);
  const { meanAuroc, mAP } = metrics.tags;
  assert.ok(Number.isFinite(meanAuroc) && meanAuroc >= 0 && meanAuroc <= 1, `mean AUROC ${meanAuroc}`);
  assert.ok(Number.isFinite(mAP) && mAP >= 0 && mAP <= 1, `mAP ${mAP}`);
  const files = await exportAttention(join(dir, 'case002.nii.gz'), run.runDir, join(dir, 'maps3d'));
  const map = await readNifti(files[0]!);
  const input = await readNifti(join(dir, 'case002.nii.gz'));
  assert.deepEqual(map.dims, input.dims);
});

test('fine-tuning from a pre-trained run loads its encoder and tag queries bit for bit', async () => {
  const { config } = await tinySetup();
  const run = await pretrain({ ...config('source'), epochs: 1 }, { ...quiet, stop: stopNever });
  const saved = await checkpointValues(run.runDir);
  const parts = await readPretrainedParts(run.runDir, quiet);
  // What was read is the checkpoint, exactly (a no-op load would leave a fresh initialisation).
  assert.ok(parts.encoder.size > 0);
  for (const [name, { values }] of parts.encoder)
    assert.deepEqual(values, saved.get(`model.imageEncoder.${name}`), name);
  // The queries are recomputed from the loaded text encoder; a freshly initialised one differs.
  const network = buildSegmentationNetwork({
    arch: 'unet2d',
    inChannels: 1,
    classes: 3,
    widths: parts.config.widths,
    attention: { tags: parts.tagNames.length, embedDim: parts.config.embedDim, tau: parts.config.tau },
  });
  const before = network.attention!.tagQueries.toFloat32Array();
  initializeFromPretrained(network, parts);
  assert.ok('imageEncoder' in network, 'a 2D U-Net has the pre-trained image encoder');
  for (const [name, p] of namedParameters(network.imageEncoder))
    assert.deepEqual(p.toFloat32Array(), saved.get(`model.imageEncoder.${name}`), name);
  const queries = network.attention!.tagQueries.toFloat32Array();
  assert.deepEqual(queries, parts.queries.values);
  assert.notDeepEqual(queries, before);
});

test('a time-budgeted pre-training stops inside its budget, whatever the epochs say', async () => {
  const { config } = await tinySetup();
  const started = performance.now();
  // 0.1 min = 6 s against 10,000 epochs of 2 steps.
  const run = await pretrain(
    { ...config('budget'), epochs: 10_000, timeBudget: 0.1 },
    { ...quiet, stop: stopNever },
  );
  const seconds = (performance.now() - started) / 1000;
  assert.ok(run.steps >= 1 && run.steps < 1000, `steps ${run.steps}`);
  assert.ok(seconds < 6 * 2 + 5, `took ${seconds.toFixed(1)} s for a 6 s budget`);
  assert.equal(run.interrupted, false);
});
