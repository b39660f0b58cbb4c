// Plain NegEx (Chapman et al. 2001, as in the reference negex.py): the baseline the mosmos
// assertion rules are measured against. Kept faithful on purpose, so do not "improve" it here.
import { readFileSync } from 'node:fs';
import { fileError } from '../errors.js';
import { tokenize } from './text.js';
import { findTriggers, indexTriggers, makeTrigger, type Trigger, tokenRange } from './trigger-match.js';

/** NegEx trigger types: pseudo, pre-/post-negation, pre-/post-possible, conjunction (scope end). */
export type NegexKind = 'PSEU' | 'PREN' | 'POST' | 'PREP' | 'POSP' | 'CONJ';

export type NegexStatus = 'affirmed' | 'negated' | 'possible';

export interface NegexOptions {
  /** Scope length in words after/before a trigger; undefined = to the sentence end (negex.py). */
  window?: number;
}

/** A NegEx rule set loaded from a `negex_triggers.txt` file. */
export interface NegexRules {
  triggers: Trigger<NegexKind>[];
  index: Map<string, Trigger<NegexKind>[]>;
}

const KINDS = new Set<string>(['PSEU', 'PREN', 'POST', 'PREP', 'POSP', 'CONJ']);

/** Parses NegEx's trigger file: `phrase<TAB><TAB>[TYPE]` per line. */
export function parseNegexTriggers(text: string, name = 'negex_triggers.txt'): NegexRules {
  const triggers: Trigger<NegexKind>[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const match = /^(.*?)\s*\[([A-Z]+)\]\s*$/.exec(line);
    if (!match || !KINDS.has(match[2]!)) throw fileError(name, `line ${i + 1}: expected "phrase<TAB>[TYPE]"`);
    triggers.push(makeTrigger(match[1]!.trim(), match[2] as NegexKind));
  });
  if (triggers.length === 0) throw fileError(name, 'no triggers found');
  return { triggers, index: indexTriggers(triggers) };
}

/** Reads and parses a NegEx trigger file. */
export function loadNegexTriggers(path: string): NegexRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw fileError(path, 'cannot read the NegEx trigger file');
  }
  return parseNegexTriggers(text, path);
}

/**
 * NegEx status of the concept at character span [start, end) of `sentence`. Triggers are matched
 * longest first (pseudo-triggers thereby mask the negations inside them); a PREN negates the
 * following words until a CONJ, another trigger type, or the end of the scope; a POST negates the
 * preceding words the same way; PREP/POSP mark "possible" only when nothing negated the concept.
 */
export function negexStatus(
  sentence: string,
  concept: { start: number; end: number },
  rules: NegexRules,
  options: NegexOptions = {},
): NegexStatus {
  // negex.py splits on white space, so punctuation is invisible to it: drop punctuation tokens.
  const tokens = tokenize(sentence).filter((t) => !t.punct);
  const range = tokenRange(tokens, concept.start, concept.end);
  if (!range) return 'affirmed';
  const [cFirst, cLast] = range;
  const matches = findTriggers(tokens, rules.index, (i) => i >= cFirst && i <= cLast);
  const window = options.window ?? Number.POSITIVE_INFINITY;

  const inScope = (forward: boolean, opener: NegexKind, blockers: NegexKind[]): boolean => {
    for (const m of matches) {
      if (m.trigger.kind !== opener) continue;
      if (forward ? m.last >= cFirst : m.first <= cLast) continue;
      const from = forward ? m.last : cLast;
      const to = forward ? cFirst : m.first;
      // Words strictly between trigger and concept count against the window.
      if (to - from - 1 >= window) continue;
      const blocked = matches.some(
        (other) =>
          other !== m &&
          other.first > from &&
          other.last < to &&
          (blockers.includes(other.trigger.kind) || other.trigger.kind === opener),
      );
      if (!blocked) return true;
    }
    return false;
  };

  const others = (own: NegexKind): NegexKind[] =>
    (['PSEU', 'PREN', 'POST', 'PREP', 'POSP', 'CONJ'] as NegexKind[]).filter((k) => k !== own);
  if (inScope(true, 'PREN', others('PREN')) || inScope(false, 'POST', others('POST'))) return 'negated';
  if (inScope(true, 'PREP', others('PREP')) || inScope(false, 'POSP', others('POSP'))) return 'possible';
  return 'affirmed';
}
