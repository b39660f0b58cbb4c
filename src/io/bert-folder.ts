/**
 * A local HuggingFace BERT folder (config.json, vocab.txt, model.safetensors, optional
 * tokenizer_config.json) read into the network of `nn/bert.ts`; the files are read here so that `nn`
 * knows nothing of files. Never from a hub.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensors } from '../engine/index.js';
import { fileError } from '../errors.js';
import { type BertConfig, BertEncoder } from '../nn/bert.js';
import { loadStateDict, type StoredArray } from '../nn/module.js';
import { WordPieceTokenizer } from '../report/wordpiece.js';

function readJson(path: string): Record<string, unknown> {
  if (!existsSync(path))
    throw fileError(path, 'not found (a BERT folder needs config.json, vocab.txt, model.safetensors)');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw fileError(path, `not valid JSON (${(error as Error).message})`);
  }
}

/** The BertConfig of a config.json, with BERT's defaults for absent optional fields. */
export function parseBertConfig(path: string): BertConfig {
  const raw = readJson(path);
  const num = (key: string, fallback?: number) => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw fileError(path, `"${key}" must be a number`);
    return v;
  };
  const act = raw.hidden_act ?? 'gelu';
  if (act !== 'gelu') throw fileError(path, `hidden_act "${String(act)}" is not supported (only "gelu")`);
  return {
    vocab_size: num('vocab_size'),
    hidden_size: num('hidden_size'),
    num_hidden_layers: num('num_hidden_layers'),
    num_attention_heads: num('num_attention_heads'),
    intermediate_size: num('intermediate_size'),
    max_position_embeddings: num('max_position_embeddings', 512),
    type_vocab_size: num('type_vocab_size', 2),
    layer_norm_eps: num('layer_norm_eps', 1e-12),
  };
}

/**
 * HuggingFace key → our parameter name: drops a leading "bert." (checkpoints of BertFor… heads) and
 * maps the old LayerNorm names gamma/beta to weight/bias.
 */
export function bertKeyName(key: string): string {
  return key
    .replace(/^bert\./, '')
    .replace(/LayerNorm\.gamma$/, 'LayerNorm.weight')
    .replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
}

/** Loads encoder and tokenizer from a local BERT folder; errors name the file and the problem. */
export async function loadBertEncoder(
  dir: string,
): Promise<{ encoder: BertEncoder; tokenizer: WordPieceTokenizer }> {
  if (!existsSync(dir))
    throw fileError(dir, 'text encoder folder not found (use --text-encoder builtin or a local BERT folder)');
  const config = parseBertConfig(join(dir, 'config.json'));
  const tokenizerConfig = existsSync(join(dir, 'tokenizer_config.json'))
    ? readJson(join(dir, 'tokenizer_config.json'))
    : {};
  const tokenizer = WordPieceTokenizer.load(join(dir, 'vocab.txt'), {
    lowercase: tokenizerConfig.do_lower_case !== false,
  });
  if (tokenizer.size !== config.vocab_size)
    throw fileError(
      join(dir, 'vocab.txt'),
      `has ${tokenizer.size} tokens but config.json says vocab_size ${config.vocab_size}`,
    );
  const weightsPath = join(dir, 'model.safetensors');
  const file = await loadSafetensors(weightsPath);
  const values = new Map<string, StoredArray>();
  for (const [key, entry] of Object.entries(file.tensors)) values.set(bertKeyName(key), entry);
  const encoder = new BertEncoder(config);
  try {
    loadStateDict(encoder, values);
  } catch (error) {
    throw fileError(weightsPath, (error as Error).message);
  }
  return { encoder, tokenizer };
}
