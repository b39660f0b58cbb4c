/**
 * Whole reports as token batches (DESIGN.md §1): a report that fits `maxTokens` (with [CLS] and
 * [SEP]) is one row; a longer one is split at sentence boundaries into rows that each fit, and the
 * text encoder's row embeddings are pooled back into one report embedding. Only a single sentence
 * longer than `maxTokens` is cut, and every cut is counted — truncation is never silent.
 */
import type { TokenBatch } from '../nn/text-encoder.js';
import { splitSentences } from '../report/text.js';
import type { WordPieceTokenizer } from '../report/wordpiece.js';

export interface ReportTokens {
  /** One row per chunk, padded to the longest chunk. */
  batch: TokenBatch;
  /** Report index (0-based) of every row. */
  owner: number[];
  /** Real tokens of every row (the pooling weight). */
  lengths: number[];
  reports: number;
  /** Reports encoded in more than one chunk. */
  chunked: number;
  /** Sentences cut because one alone exceeded `maxTokens` (0 means nothing was lost). */
  truncated: number;
  /** WordPiece tokens of the longest report (without [CLS]/[SEP]). */
  longest: number;
}

/** Greedy packing of sentences (token lists) into chunks of at most `room` tokens; cuts are counted. */
function packSentences(sentences: string[][], room: number): { chunks: string[][]; cut: number } {
  const chunks: string[][] = [];
  let current: string[] = [];
  let cut = 0;
  for (let s of sentences) {
    if (s.length > room) {
      s = s.slice(0, room);
      cut++;
    }
    if (current.length + s.length > room && current.length > 0) {
      chunks.push(current);
      current = [];
    }
    current = current.concat(s);
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return { chunks, cut };
}

/**
 * Tokenises `texts` into sentence-packed chunks of at most `maxTokens` (≥ 8) tokens each.
 * @example reportTokens(tokenizer, reports, 256).truncated === 0
 */
export function reportTokens(
  tokenizer: WordPieceTokenizer,
  texts: readonly string[],
  maxTokens: number,
): ReportTokens {
  if (!(Number.isInteger(maxTokens) && maxTokens >= 8))
    throw new Error(`maxTokens must be an integer ≥ 8, got ${maxTokens}`);
  const room = maxTokens - 2;
  const rows: number[][] = [];
  const owner: number[] = [];
  let chunked = 0;
  let truncated = 0;
  let longest = 0;
  const ids = (tokens: string[]) => [
    tokenizer.clsId,
    ...tokens.map((t) => tokenizer.tokenId(t)),
    tokenizer.sepId,
  ];
  texts.forEach((text, r) => {
    const whole = tokenizer.tokenize(text);
    longest = Math.max(longest, whole.length);
    if (whole.length <= room) {
      rows.push(ids(whole));
      owner.push(r);
      return;
    }
    const sentences = splitSentences(text).map((s) => tokenizer.tokenize(s.text));
    const { chunks, cut } = packSentences(sentences, room);
    truncated += cut;
    if (chunks.length > 1) chunked++;
    for (const c of chunks) {
      rows.push(ids(c));
      owner.push(r);
    }
  });
  const length = Math.max(2, ...rows.map((r) => r.length));
  const batch: TokenBatch = {
    ids: new Int32Array(rows.length * length).fill(tokenizer.padId),
    mask: new Uint8Array(rows.length * length),
    batch: rows.length,
    length,
  };
  rows.forEach((row, i) => {
    batch.ids.set(row, i * length);
    batch.mask.fill(1, i * length, i * length + row.length);
  });
  return {
    batch,
    owner,
    lengths: rows.map((r) => r.length),
    reports: texts.length,
    chunked,
    truncated,
    longest,
  };
}

/**
 * Row-to-report pooling weights [reports, rows]: each report's chunk embeddings averaged with weights
 * proportional to their token counts (so a short trailing chunk counts for what it holds).
 */
export function chunkPoolingWeights(tokens: ReportTokens): Float32Array {
  const rows = tokens.owner.length;
  const w = new Float32Array(tokens.reports * rows);
  const totals = new Float64Array(tokens.reports);
  tokens.owner.forEach((r, i) => {
    totals[r]! += tokens.lengths[i]!;
  });
  tokens.owner.forEach((r, i) => {
    w[r * rows + i] = tokens.lengths[i]! / totals[r]!;
  });
  return w;
}
