import type { Span } from './text.js';
import type { OrganTag } from './vocabularies.js';

/** Where a tag is named in a sentence, and how. */
export interface Mention extends Span {
  tag: OrganTag;
  /** Named by an adjective ("hepatic", "renal"): it then modifies a noun, usually a finding. */
  adjective: boolean;
  /** Named by a word that carries a finding itself ("splenomegaly"). */
  finding: boolean;
}

interface CompiledTag {
  pattern: RegExp;
  abbreviations?: RegExp;
}

const compiled = new WeakMap<OrganTag, CompiledTag>();

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phrase = (s: string) => s.split(/\s+/).map(escapeRegExp).join('\\s+');
const alternation = (terms: string[]) =>
  [...new Set(terms)]
    .sort((a, b) => b.length - a.length)
    .map(phrase)
    .join('|');

function compile(tag: OrganTag): CompiledTag {
  const cached = compiled.get(tag);
  if (cached) return cached;
  const terms = [...tag.synonyms, ...tag.adjectives, ...(tag.findingWords ?? []), ...(tag.plurals ?? [])];
  // A paired organ is named with its side, as "left and right …", "bilateral …" or "both …".
  const qualifier = tag.side
    ? '(?:(left\\s+and\\s+right|right\\s+and\\s+left|left|right|bilateral|both)\\s+)?'
    : '()';
  const pattern = new RegExp(`(?<![A-Za-z0-9-])${qualifier}(${alternation(terms)})(?![A-Za-z0-9-])`, 'gi');
  const abbreviations =
    tag.abbreviations.length > 0
      ? new RegExp(
          `(?<![A-Za-z0-9-])(?:${tag.abbreviations.map(escapeRegExp).join('|')})(?![A-Za-z0-9-])`,
          'g',
        )
      : undefined;
  const result = { pattern, abbreviations };
  compiled.set(tag, result);
  return result;
}

/** The places where `text` names `tag` (offsets relative to `offset`). */
export function findMentions(text: string, tag: OrganTag, offset = 0): Mention[] {
  const { pattern, abbreviations } = compile(tag);
  const lower = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');
  const adjectives = new Set(tag.adjectives.map(lower));
  const findingWords = new Set((tag.findingWords ?? []).map(lower));
  const plurals = new Set((tag.plurals ?? []).map(lower));
  const mentions: Mention[] = [];
  for (const match of text.matchAll(pattern)) {
    const side = match[1]?.toLowerCase().replace(/\s+/g, ' ');
    const term = lower(match[2]!);
    if (tag.side) {
      const bothSides = side === 'bilateral' || side === 'both' || side?.includes(' and ');
      const named = side === tag.side || bothSides || (side === undefined && plurals.has(term));
      if (!named) continue;
    }
    const start = offset + match.index;
    mentions.push({
      tag,
      text: match[0],
      start,
      end: start + match[0].length,
      adjective: adjectives.has(term),
      finding: findingWords.has(term),
    });
  }
  if (abbreviations) {
    for (const match of text.matchAll(abbreviations)) {
      const start = offset + match.index;
      mentions.push({
        tag,
        text: match[0],
        start,
        end: start + match[0].length,
        adjective: false,
        finding: false,
      });
    }
  }
  return mentions.sort((a, b) => a.start - b.start);
}

/**
 * All tags' mentions in a sentence, dropping any that lies inside a longer mention of another tag
 * ("splenic" inside "splenic vein", "bladder" inside "gall bladder").
 */
export function findAllMentions(text: string, tags: OrganTag[], offset = 0): Mention[] {
  const all = tags.flatMap((tag) => findMentions(text, tag, offset));
  return all
    .filter(
      (m) =>
        !all.some(
          (o) => o.tag !== m.tag && o.start <= m.start && o.end >= m.end && o.end - o.start > m.end - m.start,
        ),
    )
    .sort((a, b) => a.start - b.start);
}
