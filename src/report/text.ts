/** A piece of text with its character span [start, end) in the original string. */
export interface Span {
  text: string;
  start: number;
  end: number;
}

/** A word or punctuation token: `norm` is the lowercased form used for matching. */
export interface Token extends Span {
  norm: string;
  /** True for punctuation marks (, ; : . ( ) etc.). */
  punct: boolean;
}

// Words keep internal hyphens, apostrophes, slashes and dots between letters ("non-radiating",
// "s/p", "p.o.") because clinical text uses them inside single terms.
const TOKEN = /[A-Za-z0-9]+(?:['’\-/.][A-Za-z0-9]+)*\.?|[^\sA-Za-z0-9]/g;

/** Splits text into word and punctuation tokens with character offsets (relative to `offset`). */
export function tokenize(text: string, offset = 0): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(TOKEN)) {
    let word = match[0];
    // A trailing dot is kept only on abbreviations like "p.o." or "dr."; elsewhere it ends a sentence.
    if (word.length > 1 && word.endsWith('.') && !/\.[A-Za-z]+\.$/.test(word)) word = word.slice(0, -1);
    const start = offset + match.index;
    tokens.push({ text: word, norm: word.toLowerCase(), start, end: start + word.length, punct: false });
    if (word.length < match[0].length) {
      const dot = start + word.length;
      tokens.push({ text: '.', norm: '.', start: dot, end: dot + 1, punct: true });
    }
  }
  for (const token of tokens) token.punct = !/[A-Za-z0-9]/.test(token.text);
  return tokens;
}

// Abbreviations after which a full stop does not end the sentence.
const NO_BREAK_BEFORE = new Set(['dr', 'mr', 'mrs', 'ms', 'vs', 'e.g', 'i.e', 'approx', 'fig']);

/**
 * Splits text into sentences with offsets: at . ? ! followed by white space or the end, at blank
 * lines, and before numbered items ("2.") or headings ("IMPRESSION:") that start a line.
 * Decimal numbers ("13.5 cm") and abbreviations ("p.o.", "Dr.") do not split.
 */
export function splitSentences(text: string): Span[] {
  const sentences: Span[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed.length > 0)
      sentences.push({ text: trimmed, start: start + lead, end: start + lead + trimmed.length });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      // A blank line, or a line break followed by a numbered item or a heading, ends the sentence.
      // Peeking a bounded stretch keeps this linear on text with many line breaks.
      const rest = text.slice(i + 1, i + 200);
      if (/^\s*\n/.test(rest) || /^\s*(\d+[.)]\s|[A-Z][A-Z /]+:)/.test(rest)) push(i + 1);
      continue;
    }
    if (c !== '.' && c !== '?' && c !== '!') continue;
    const next = text[i + 1];
    if (next !== undefined && !/\s/.test(next)) continue;
    if (c === '.') {
      const before = /([A-Za-z.]+)$/.exec(text.slice(Math.max(start, i - 40), i))?.[1]?.toLowerCase() ?? '';
      if (NO_BREAK_BEFORE.has(before)) continue;
      if (/\.[a-z]$/.test(before)) continue; // "p.o." style abbreviation
      // "1." at the start of a numbered item is a list marker, not a sentence end.
      if (i - start < 40 && /^\s*\d+$/.test(text.slice(start, i))) continue;
    }
    push(i + 1);
  }
  push(text.length);
  return sentences;
}

/**
 * Longest sentence (characters) the tagger reads as one: real report sentences are a few hundred
 * characters; a run-on "sentence" of 120 kB without punctuation made tagging quadratic. Longer ones
 * are cut at white space into pieces of at most this length (a cue's scope is 14 words, so a cut
 * can only lose a cue reaching across it).
 */
export const MAX_SENTENCE_CHARS = 1000;

/** `sentences` with every one longer than `max` characters cut at white space into shorter pieces. */
export function boundSentences(sentences: Span[], max = MAX_SENTENCE_CHARS): Span[] {
  const out: Span[] = [];
  for (const sentence of sentences) {
    let { text, start } = sentence;
    while (text.length > max) {
      const space = text.lastIndexOf(' ', max);
      const cut = space > max / 2 ? space : max;
      const piece = text.slice(0, cut).trimEnd();
      if (piece.length > 0) out.push({ text: piece, start, end: start + piece.length });
      const rest = text.slice(cut);
      const lead = rest.length - rest.trimStart().length;
      start += cut + lead;
      text = rest.trimStart();
    }
    if (text.length > 0) out.push({ text, start, end: start + text.length });
  }
  return out;
}
