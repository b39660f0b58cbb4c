import type { Token } from './text.js';
import { tokenize } from './text.js';

/** A trigger phrase as its lowercased token sequence plus the role it plays. */
export interface Trigger<K extends string> {
  phrase: string;
  words: string[];
  kind: K;
}

/** Where a trigger matched: tokens [first, last] inclusive. */
export interface TriggerMatch<K extends string> {
  trigger: Trigger<K>;
  first: number;
  last: number;
}

/** Builds a trigger from its phrase, tokenized the same way sentences are. */
export function makeTrigger<K extends string>(phrase: string, kind: K): Trigger<K> {
  return { phrase, words: tokenize(phrase).map((t) => t.norm), kind };
}

/** Indexes triggers by first word, longest first, so matching prefers the longest phrase. */
export function indexTriggers<K extends string>(triggers: Trigger<K>[]): Map<string, Trigger<K>[]> {
  const index = new Map<string, Trigger<K>[]>();
  for (const trigger of triggers) {
    const first = trigger.words[0];
    if (first === undefined) continue;
    const list = index.get(first) ?? [];
    list.push(trigger);
    index.set(first, list);
  }
  for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
  return index;
}

/**
 * Finds non-overlapping trigger occurrences left to right, longest match first at each position.
 * `skip` marks tokens that cannot take part in a trigger (e.g. the concept itself).
 */
export function findTriggers<K extends string>(
  tokens: Token[],
  index: Map<string, Trigger<K>[]>,
  skip: (i: number) => boolean = () => false,
): TriggerMatch<K>[] {
  const matches: TriggerMatch<K>[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (skip(i)) continue;
    const candidates = index.get(tokens[i]!.norm);
    if (!candidates) continue;
    for (const trigger of candidates) {
      const n = trigger.words.length;
      let ok = i + n <= tokens.length;
      for (let k = 1; ok && k < n; k++) ok = tokens[i + k]!.norm === trigger.words[k] && !skip(i + k);
      if (ok) {
        matches.push({ trigger, first: i, last: i + n - 1 });
        i += n - 1;
        break;
      }
    }
  }
  return matches;
}

/** Indices [first, last] of the tokens overlapping the character span, or undefined if none. */
export function tokenRange(tokens: Token[], start: number, end: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  tokens.forEach((t, i) => {
    if (t.end > start && t.start < end) {
      if (first < 0) first = i;
      last = i;
    }
  });
  return first < 0 ? undefined : [first, last];
}
