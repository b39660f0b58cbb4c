import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { saveSafetensors, seed, type Tensor } from '../engine/index.js';
import { InputError } from '../errors.js';
import { bertKeyName, loadBertEncoder } from '../io/bert-folder.js';
import { type BertConfig, BertEncoder } from './bert.js';
import { namedTensors } from './module.js';

const config: BertConfig = {
  vocab_size: 12,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
};
const vocab = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'the',
  'liver',
  'is',
  'normal',
  'spleen',
  '##s',
  '.',
];

/** Writes a tiny random BERT folder in HuggingFace's layout (keys prefixed "bert." as BertForMaskedLM). */
async function writeTinyBert(): Promise<{ dir: string; reference: BertEncoder }> {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-bert-'));
  seed(21);
  const reference = new BertEncoder(config);
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of namedTensors(reference)) tensors[`bert.${name}`] = t;
  await saveSafetensors(join(dir, 'model.safetensors'), tensors);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...config, hidden_act: 'gelu', model_type: 'bert' }),
  );
  writeFileSync(join(dir, 'vocab.txt'), `${vocab.join('\n')}\n`);
  return { dir, reference };
}

test('HuggingFace key names map onto the encoder', () => {
  assert.equal(
    bertKeyName('bert.encoder.layer.0.attention.self.query.weight'),
    'encoder.layer.0.attention.self.query.weight',
  );
  assert.equal(bertKeyName('embeddings.LayerNorm.gamma'), 'embeddings.LayerNorm.weight');
  const names = namedTensors(new BertEncoder(config)).map(([n]) => n);
  for (const key of [
    'embeddings.word_embeddings.weight',
    'embeddings.position_embeddings.weight',
    'embeddings.token_type_embeddings.weight',
    'embeddings.LayerNorm.bias',
    'encoder.layer.1.attention.self.value.bias',
    'encoder.layer.1.attention.output.dense.weight',
    'encoder.layer.1.attention.output.LayerNorm.weight',
    'encoder.layer.1.intermediate.dense.weight',
    'encoder.layer.1.output.dense.bias',
    'encoder.layer.1.output.LayerNorm.bias',
  ])
    assert.ok(names.includes(key), key);
});

test('a local BERT folder loads and reproduces the saved encoder exactly', async () => {
  const { dir, reference } = await writeTinyBert();
  const { encoder, tokenizer } = await loadBertEncoder(dir);
  const e = tokenizer.encode('The liver is normal.', 10);
  const batch = { ids: e.ids, mask: e.mask, batch: 1, length: 10 };
  assert.deepEqual(encoder.forward(batch).pooled.data(), reference.forward(batch).pooled.data());
});

test('a broken BERT folder is an error naming the file', async () => {
  const { dir } = await writeTinyBert();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, hidden_size: 10 }));
  await assert.rejects(
    loadBertEncoder(dir),
    (e: unknown) => e instanceof InputError && e.message.includes('model.safetensors'),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 99 }));
  await assert.rejects(loadBertEncoder(dir), /vocab\.txt: has 12 tokens/);
  await assert.rejects(loadBertEncoder(join(dir, 'nope')), /text encoder folder not found/);
});

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

test('the BERT forward matches a hand-written PyTorch BERT on the same weights (tolerance 1e-4: float32 vs float64)', {
  skip: hasTorch ? false : 'python3 with torch not available',
}, async () => {
  const { dir } = await writeTinyBert();
  const { encoder } = await loadBertEncoder(dir);
  const ids = Int32Array.from([2, 5, 6, 7, 8, 11, 3, 0, 2, 9, 10, 7, 8, 3, 0, 0]);
  const mask = Uint8Array.from(ids, (v, i) => (v !== 0 || i === 0 ? 1 : 0));
  const ours = encoder.forward({ ids, mask, batch: 2, length: 8 }).tokens.data();
  const batchFile = join(dir, 'ids.json');
  const rows = (a: ArrayLike<number>) => [Array.from(a).slice(0, 8), Array.from(a).slice(8)];
  writeFileSync(batchFile, JSON.stringify({ ids: rows(ids), mask: rows(mask) }));
  const script = fileURLToPath(new URL('./testdata/bert_reference.py', import.meta.url));
  const run = spawnSync(python, [script, dir, batchFile], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const theirs = (JSON.parse(run.stdout) as { tokens: number[] }).tokens;
  assert.equal(theirs.length, ours.length);
  for (let i = 0; i < ours.length; i++) {
    if (mask[Math.floor(i / config.hidden_size)] === 0) continue; // padded positions are never used
    assert.ok(Math.abs(ours[i]! - theirs[i]!) < 1e-4, `value ${i}: ${ours[i]} vs ${theirs[i]}`);
  }
});
