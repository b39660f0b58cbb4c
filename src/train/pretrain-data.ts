/**
 * From the pairs manifest to network inputs: tag targets per report, the train/validation split,
 * the per-epoch order (derived from seed and epoch, so a resumed run sees the same order), token
 * batches. Image bags are cut in pretrain-bag.ts.
 */
import { type ImageReportPair, readPairs } from '../data/pairs.js';
import { Rng } from '../engine/index.js';
import type { TokenBatch } from '../nn/text-encoder.js';
import { tagReport } from '../report/tagger.js';
import { splitSentences } from '../report/text.js';
import type { TagVocabulary } from '../report/vocabularies.js';
import type { WordPieceTokenizer } from '../report/wordpiece.js';
import { type ReportTagStatus, statusPerTag, tagTargets } from './tag-targets.js';

export interface TrainingPair extends ImageReportPair {
  /** Multi-hot targets over the vocabulary's tags: 1, 0 or -1 (ignored). */
  targets: Float32Array;
}

/** Reads the manifest and computes each report's tag targets with the report tagger. */
export function loadTrainingPairs(
  manifest: string,
  vocabulary: TagVocabulary,
  options: { skipBad: boolean; alwaysImaged?: string[] },
) {
  const tagNames = vocabulary.tags.map((t) => t.name);
  const statuses = (text: string): Record<string, ReportTagStatus> =>
    statusPerTag(tagReport(text, vocabulary));
  const read = readPairs(manifest, { skipBad: options.skipBad, tagReport: statuses });
  const pairs: TrainingPair[] = read.pairs.map((p) => ({
    ...p,
    targets: tagTargets(tagNames, p.tags ?? statuses(p.report), options.alwaysImaged),
  }));
  return { pairs, skipped: read.skipped, tagNames, prompts: vocabulary.tags.map((t) => t.prompt) };
}

/** Fisher–Yates shuffle with the given generator (a copy). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Deterministic split: a seeded permutation, the first ⌈fraction·n⌉ held out (at least 2 when
 * n ≥ 4, so retrieval can be measured; none below that).
 */
export function splitPairs(
  n: number,
  fraction: number,
  seed: number,
): { train: number[]; validation: number[] } {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    new Rng(seed ^ 0x5eed),
  );
  const held = n < 4 || fraction <= 0 ? 0 : Math.min(n - 2, Math.max(2, Math.ceil(fraction * n)));
  return {
    validation: order.slice(0, held).sort((a, b) => a - b),
    train: order.slice(held).sort((a, b) => a - b),
  };
}

/** The training order of `epoch` (0-based): the same for the same seed and epoch. */
export function epochOrder(train: readonly number[], seed: number, epoch: number): number[] {
  return shuffled(train, new Rng((seed * 1000003 + epoch * 7919 + 1) >>> 0));
}

/** The generator for sampling and augmentation of one step, so a resumed run repeats it. */
export function stepRng(seed: number, step: number): Rng {
  return new Rng((seed * 2654435761 + step * 40503 + 17) >>> 0);
}

/**
 * The report with its sentences in a random order: the findings of a report are a set, so the order
 * carries no information, and shuffling it keeps a small text encoder from memorising each report by
 * its sequence instead of learning what it says.
 */
export function shuffleSentences(report: string, rng: Rng): string {
  const sentences = splitSentences(report).map((s) => s.text);
  return shuffled(sentences, rng).join(' ');
}

/** Token ids and masks of `texts`, each padded/truncated to `maxLength`. */
export function tokenBatch(
  tokenizer: WordPieceTokenizer,
  texts: readonly string[],
  maxLength: number,
): TokenBatch {
  const ids = new Int32Array(texts.length * maxLength);
  const mask = new Uint8Array(texts.length * maxLength);
  texts.forEach((text, i) => {
    const e = tokenizer.encode(text, maxLength);
    ids.set(e.ids, i * maxLength);
    mask.set(e.mask, i * maxLength);
  });
  return { ids, mask, batch: texts.length, length: maxLength };
}
