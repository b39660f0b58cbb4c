// BERT-style WordPiece: the basic tokenizer (clean, lowercase, strip accents, split punctuation),
// greedy longest-match-first subwords with "##" continuations, a deterministic trainer, and
// BERT's vocab.txt format (one token per line, id = line number) so users' BERT vocabularies load.
import { readFileSync } from 'node:fs';
import { fileError, InputError } from '../errors.js';
import { type WriteOptions, writeFileAtomic } from '../files/atomic-write.js';

/** BERT's special tokens, in the order mosmos writes them (so [PAD] = 0). */
export const specialTokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** A WordPiece vocabulary: tokens in id order. */
export interface WordPieceVocab {
  tokens: string[];
  /** Lowercase and strip accents before lookup (BERT "uncased"). */
  lowercase: boolean;
}

export interface EncodedText {
  ids: Int32Array;
  /** 1 for real tokens ([CLS] … [SEP]), 0 for padding. */
  mask: Uint8Array;
}

const isPunctuation = (c: string) => {
  const code = c.codePointAt(0)!;
  // BERT treats all non-letter/number ASCII as punctuation, plus Unicode punctuation.
  if (
    (code >= 33 && code <= 47) ||
    (code >= 58 && code <= 64) ||
    (code >= 91 && code <= 96) ||
    (code >= 123 && code <= 126)
  )
    return true;
  return /\p{P}/u.test(c);
};

/** BERT's basic tokenizer: cleans control characters, optionally lowercases, splits punctuation. */
export function basicTokenize(text: string, lowercase = true): string[] {
  let clean = '';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code === 0 || code === 0xfffd || (/\p{Cc}/u.test(c) && !/\s/.test(c))) continue;
    clean += /\s/.test(c) ? ' ' : c;
  }
  const words: string[] = [];
  for (let word of clean.split(' ')) {
    if (word === '') continue;
    if (lowercase)
      word = word
        .toLowerCase()
        .normalize('NFD')
        .replace(/\p{Mn}/gu, '');
    let current = '';
    for (const c of word) {
      if (isPunctuation(c)) {
        if (current) words.push(current);
        words.push(c);
        current = '';
      } else current += c;
    }
    if (current) words.push(current);
  }
  return words;
}

/** Splits text into WordPiece tokens and ids with a fixed vocabulary. */
export class WordPieceTokenizer {
  readonly vocab: WordPieceVocab;
  private readonly ids = new Map<string, number>();
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly maskId: number;

  constructor(
    vocab: WordPieceVocab,
    readonly maxCharsPerWord = 100,
  ) {
    this.vocab = vocab;
    vocab.tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    const id = (token: string) => {
      const found = this.ids.get(token);
      if (found === undefined) throw new InputError(`WordPiece vocabulary lacks the special token ${token}`);
      return found;
    };
    [this.padId, this.unkId, this.clsId, this.sepId, this.maskId] = specialTokens.map(id) as [
      number,
      number,
      number,
      number,
      number,
    ];
  }

  /** Reads a vocab.txt (BERT format). Uncased unless `lowercase: false` is given. */
  static load(path: string, options: { lowercase?: boolean } = {}): WordPieceTokenizer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw fileError(path, 'cannot read the vocabulary file');
    }
    const tokens = text.split(/\r?\n/);
    if (tokens.at(-1) === '') tokens.pop();
    try {
      return new WordPieceTokenizer({ tokens, lowercase: options.lowercase ?? true });
    } catch (error) {
      throw fileError(path, error instanceof Error ? error.message : String(error));
    }
  }

  /** Writes vocab.txt: one token per line, line number = id. */
  save(path: string, options: WriteOptions = {}): void {
    writeFileAtomic(path, `${this.vocab.tokens.join('\n')}\n`, options);
  }

  get size(): number {
    return this.vocab.tokens.length;
  }

  /** The token id, or [UNK]'s. */
  tokenId(token: string): number {
    return this.ids.get(token) ?? this.unkId;
  }

  /** WordPiece tokens of a text, e.g. "unaffable" → ["un", "##aff", "##able"]. */
  tokenize(text: string): string[] {
    const pieces: string[] = [];
    for (const word of basicTokenize(text, this.vocab.lowercase)) {
      if (specialTokens.includes(word as (typeof specialTokens)[number])) {
        pieces.push(word);
        continue;
      }
      pieces.push(...this.wordPieces(word));
    }
    return pieces;
  }

  /** Greedy longest-match-first split of one word; a word with an unmatched part is [UNK]. */
  private wordPieces(word: string): string[] {
    const chars = [...word];
    if (chars.length > this.maxCharsPerWord) return ['[UNK]'];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let piece: string | undefined;
      while (start < end) {
        const candidate = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.ids.has(candidate)) {
          piece = candidate;
          break;
        }
        end--;
      }
      if (piece === undefined) return ['[UNK]'];
      pieces.push(piece);
      start = end;
    }
    return pieces;
  }

  /** [CLS] tokens [SEP], truncated and padded to `maxLength`, with the attention mask. */
  encode(text: string, maxLength: number): EncodedText {
    if (!Number.isInteger(maxLength) || maxLength < 2)
      throw new InputError('maxLength must be an integer ≥ 2');
    const ids = new Int32Array(maxLength).fill(this.padId);
    const mask = new Uint8Array(maxLength);
    const body = this.tokenize(text)
      .slice(0, maxLength - 2)
      .map((t) => this.tokenId(t));
    const sequence = [this.clsId, ...body, this.sepId];
    sequence.forEach((id, i) => {
      ids[i] = id;
      mask[i] = 1;
    });
    return { ids, mask };
  }

  /** Tokens of ids (for inspection), stopping at padding. */
  decode(ids: ArrayLike<number>): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === this.padId) break;
      tokens.push(this.vocab.tokens[ids[i]!] ?? '[UNK]');
    }
    return tokens;
  }
}

export interface TrainWordPieceOptions {
  /** Target vocabulary size, special tokens included. */
  vocabSize?: number;
  /** Words seen fewer times are left out of training. */
  minFrequency?: number;
  lowercase?: boolean;
}

/**
 * Learns a WordPiece vocabulary from a corpus, deterministically: start from characters (word-
 * initial, and "##"-continuations), then repeatedly merge the adjacent pair with the highest
 * likelihood score count(ab) / (count(a)·count(b)) — WordPiece's criterion — ties broken by the
 * merged string, until `vocabSize` tokens.
 */
export function trainWordPiece(corpus: string[], options: TrainWordPieceOptions = {}): WordPieceVocab {
  const vocabSize = options.vocabSize ?? 8000;
  const minFrequency = options.minFrequency ?? 1;
  const lowercase = options.lowercase ?? true;
  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const word of basicTokenize(text, lowercase)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const words = [...counts.entries()]
    .filter(([, n]) => n >= minFrequency)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, n]) => ({ pieces: [...word].map((c, i) => (i === 0 ? c : `##${c}`)), n }));

  const tokens: string[] = [...specialTokens];
  const known = new Set(tokens);
  const add = (t: string) => {
    if (!known.has(t)) {
      known.add(t);
      tokens.push(t);
    }
  };
  const alphabet = new Set(words.flatMap((w) => w.pieces));
  for (const t of [...alphabet].sort()) add(t);

  while (tokens.length < vocabSize) {
    const unit = new Map<string, number>();
    const pair = new Map<string, { a: string; b: string; n: number }>();
    for (const { pieces, n } of words) {
      for (let i = 0; i < pieces.length; i++) {
        unit.set(pieces[i]!, (unit.get(pieces[i]!) ?? 0) + n);
        if (i + 1 < pieces.length) {
          const key = `${pieces[i]}\u0000${pieces[i + 1]}`;
          const entry = pair.get(key);
          if (entry) entry.n += n;
          else pair.set(key, { a: pieces[i]!, b: pieces[i + 1]!, n });
        }
      }
    }
    let best: { a: string; b: string; merged: string; score: number } | undefined;
    for (const { a, b, n } of pair.values()) {
      const score = n / (unit.get(a)! * unit.get(b)!);
      const merged = a + b.slice(2);
      if (!best || score > best.score || (score === best.score && merged < best.merged))
        best = { a, b, merged, score };
    }
    if (!best) break; // every word is a single token
    for (const word of words) {
      const merged: string[] = [];
      for (let i = 0; i < word.pieces.length; i++) {
        if (i + 1 < word.pieces.length && word.pieces[i] === best.a && word.pieces[i + 1] === best.b) {
          merged.push(best.merged);
          i++;
        } else merged.push(word.pieces[i]!);
      }
      word.pieces = merged;
    }
    add(best.merged);
  }
  return { tokens, lowercase };
}
