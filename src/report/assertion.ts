import { type AssertionKind, assertionTriggers } from './assertion-triggers.js';
import { type Span, type Token, tokenize } from './text.js';
import { findTriggers, indexTriggers, type TriggerMatch, tokenRange } from './trigger-match.js';

/** What a sentence asserts about a concept. */
export type Assertion = 'present' | 'absent' | 'uncertain';

export interface AssertionResult {
  status: Assertion;
  /** The negation or uncertainty cue that decided, with offsets in the sentence. */
  cue?: Span;
}

export interface AssertionOptions {
  /** Most words a cue before the concept reaches over (lists such as "no A, B, or C" need several). */
  preScope?: number;
  /** Most words a cue after the concept reaches back over ("X is not seen"). */
  postScope?: number;
}

const index = indexTriggers(assertionTriggers);

// Marks that end a clause, and so any cue's scope. Commas do not: negated lists are written with them.
const CLAUSE_END = new Set(['.', ';', ':', '!', '?', '(', ')', '[', ']']);

const BEFORE: ReadonlySet<AssertionKind> = new Set(['preNeg', 'neg', 'preUnc', 'unc']);
const AFTER: ReadonlySet<AssertionKind> = new Set(['postNeg', 'neg', 'postUnc', 'unc']);
const NEGATION: ReadonlySet<AssertionKind> = new Set(['preNeg', 'postNeg', 'neg']);
const HEDGE: ReadonlySet<AssertionKind> = new Set(['preUnc', 'unc']);

/**
 * Whether `sentence` asserts, negates or hedges the concept at character span [start, end).
 * NegEx-style: the nearest cue whose scope reaches the concept decides; a scope stops at clause
 * punctuation, at contrast and causal words ("but", "however", "due to"), at a new affirmative
 * clause ("there is", "is seen"), and after a bounded number of words. Pseudo-cues ("no change",
 * "not only") are matched first so the negations inside them do not fire.
 *
 * @example assertionStatus('No ascites but a small cyst.', { start: 3, end: 10 }).status // 'absent'
 */
export function assertionStatus(
  sentence: string,
  concept: { start: number; end: number },
  options: AssertionOptions = {},
): AssertionResult {
  const tokens = tokensOf(sentence);
  const range = tokenRange(tokens, concept.start, concept.end);
  if (!range) return { status: 'present' };
  const [cFirst, cLast] = range;
  const matches = findTriggers(tokens, index, (i) => i >= cFirst && i <= cLast);
  const preScope = options.preScope ?? 14;
  const postScope = options.postScope ?? 5;

  let best: { match: TriggerMatch<AssertionKind>; distance: number } | undefined;
  for (const match of matches) {
    const kind = match.trigger.kind;
    let from: number;
    let to: number;
    let limit: number;
    if (match.last < cFirst && BEFORE.has(kind)) [from, to, limit] = [match.last + 1, cFirst, preScope];
    else if (match.first > cLast && AFTER.has(kind)) [from, to, limit] = [cLast + 1, match.first, postScope];
    else continue;
    if (!scopeOpen(tokens, matches, from, to, limit, kind === 'postNeg' || kind === 'postUnc')) continue;
    const distance = to - from;
    const better =
      !best ||
      distance < best.distance ||
      (distance === best.distance && NEGATION.has(kind) && !NEGATION.has(best.match.trigger.kind));
    if (better) best = { match, distance };
  }
  if (!best) return { status: 'present' };
  let cue = best.match;
  let negated = NEGATION.has(cue.trigger.kind);
  // A hedged negation ("may be absent", "possibly not seen") is uncertain, not absent.
  const hedge = negated
    ? matches.find((m) => HEDGE.has(m.trigger.kind) && m.last < cue.first && cue.first - m.last <= 2)
    : undefined;
  if (hedge && scopeOpen(tokens, matches, hedge.last + 1, cue.first, 1, true)) {
    cue = hedge;
    negated = false;
  }
  const first = tokens[cue.first]!;
  const last = tokens[cue.last]!;
  return {
    status: negated ? 'absent' : 'uncertain',
    cue: { text: sentence.slice(first.start, last.end), start: first.start, end: last.end },
  };
}

// A sentence is asked about each of its mentions and findings in turn: tokenize it once. Two
// entries, because the tagger asks about a sentence and its colon-normalised copy alternately.
const recent: { sentence: string; tokens: Token[] }[] = [];

function tokensOf(sentence: string): Token[] {
  const hit = recent.find((r) => r.sentence === sentence);
  if (hit) return hit.tokens;
  const tokens = tokenize(sentence);
  recent.unshift({ sentence, tokens });
  recent.length = Math.min(recent.length, 2);
  return tokens;
}

/** True when nothing between tokens [from, to) ends the scope of a cue. */
function scopeOpen(
  tokens: Token[],
  matches: TriggerMatch<AssertionKind>[],
  from: number,
  to: number,
  limit: number,
  stopAtComma: boolean,
): boolean {
  let words = 0;
  for (let i = from; i < to; i++) {
    const token = tokens[i]!;
    if (token.punct) {
      if (CLAUSE_END.has(token.norm) || (stopAtComma && token.norm === ',')) return false;
    } else words++;
  }
  if (words > limit) return false;
  return !matches.some((m) => m.trigger.kind === 'end' && m.first >= from && m.last < to);
}
