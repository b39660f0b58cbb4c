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
      const rest = text.slice(i + 1);
      if (/^\s*\n/.test(rest) || /^\s*(\d+[.)]\s|[A-Z][A-Z /]+:)/.test(rest)) push(i + 1);
      continue;
    }
    if (c !== '.' && c !== '?' && c !== '!') continue;
    const next = text[i + 1];
    if (next !== undefined && !/\s/.test(next)) continue;
    if (c === '.') {
      const before = /([A-Za-z.]+)$/.exec(text.slice(start, i))?.[1]?.toLowerCase() ?? '';
      if (NO_BREAK_BEFORE.has(before)) continue;
      if (/\.[a-z]$/.test(before)) continue; // "p.o." style abbreviation
      // "1." at the start of a numbered item is a list marker, not a sentence end.
      if (/^\s*\d+$/.test(text.slice(start, i))) continue;
    }
    push(i + 1);
  }
  push(text.length);
  return sentences;
}
