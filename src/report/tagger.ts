import { assertionStatus } from './assertion.js';
import { findingTerms } from './findings.js';
import { findAllMentions, type Mention } from './mentions.js';
import { detectSections } from './sections.js';
import { boundSentences, type Span, splitSentences, tokenize } from './text.js';
import type { OrganTag, TagVocabulary } from './vocabularies.js';

/** What a report says about a tag. */
export type TagStatus = 'present' | 'absent' | 'uncertain' | 'abnormal';

/** The sentence and the character span in the original report text that decided a status. */
export interface Evidence {
  sentence: string;
  start: number;
  end: number;
}

export interface TagResult {
  tag: string;
  status: TagStatus;
  evidence: Evidence;
}

// When a report says several things about one tag, the most specific statement wins: a resection
// is definitive, a finding beats a plain mention, a negation beats a hedge.
const RANK: Record<TagStatus | 'resected', number> = {
  resected: 5,
  abnormal: 4,
  absent: 3,
  uncertain: 2,
  present: 1,
};

const findingPattern = new RegExp(
  `(?<![A-Za-z0-9-])(?:${[...findingTerms]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/\s+/g, '\\s+'))
    .join('|')})(?![A-Za-z0-9-])`,
  'gi',
);

interface Candidate {
  tag: OrganTag;
  status: TagStatus;
  rank: number;
  evidence: Evidence;
}

/**
 * Organ tags stated by a report, each with its status and evidence. Only the sections that describe
 * the examination are read (findings, impression, untitled text): history, indication, comparison
 * and technique create no tags. Tags the report does not mention are not returned.
 *
 * @example tagReport('FINDINGS: Status post cholecystectomy. Splenomegaly.', getVocabulary('btcv'))
 *   // [{ tag: 'spleen', status: 'abnormal', … }, { tag: 'gallbladder', status: 'absent', … }]
 */
export function tagReport(text: string, vocabulary: TagVocabulary): TagResult[] {
  const best = new Map<OrganTag, Candidate>();
  const offer = (candidate: Candidate) => {
    const current = best.get(candidate.tag);
    if (!current || candidate.rank > current.rank) best.set(candidate.tag, candidate);
  };
  for (const section of detectSections(text)) {
    if (!section.describesExam) continue;
    for (const local of boundSentences(splitSentences(section.text))) {
      const sentence: Span = {
        text: local.text,
        start: section.start + local.start,
        end: section.start + local.end,
      };
      for (const candidate of tagSentence(sentence, vocabulary.tags)) offer(candidate);
    }
  }
  return vocabulary.tags.flatMap((tag) => {
    const candidate = best.get(tag);
    return candidate ? [{ tag: tag.name, status: candidate.status, evidence: candidate.evidence }] : [];
  });
}

/** `tagReport` as a tag → status record (the form a pairs manifest stores). */
export function reportTags(text: string, vocabulary: TagVocabulary): Record<string, TagStatus> {
  return Object.fromEntries(tagReport(text, vocabulary).map((t) => [t.tag, t.status]));
}

/** The statements one sentence makes about the tags (offsets of `sentence` are in the report). */
function tagSentence(sentence: Span, tags: OrganTag[]): Candidate[] {
  const text = sentence.text;
  const evidence = (start: number, end: number): Evidence => ({
    sentence: text,
    start: sentence.start + start,
    end: sentence.start + end,
  });
  const candidates: Candidate[] = [];
  // "gallbladder fossa", "nephrectomy bed": a place where the organ was, not the organ.
  const mentions = findAllMentions(text, tags).filter((m) => !/^\s+(fossa|bed)\b/i.test(text.slice(m.end)));
  // Structured reports write "GALLBLADDER: Surgically absent.": the colon after an organ name joins it
  // to what is said of it, so for assertions it is read as a space (same length, same offsets).
  const asserted = colonsAfterMentionsAsSpaces(text, mentions);
  const findings = [...text.matchAll(findingPattern)]
    .map((m) => ({ start: m.index, end: m.index + m[0].length }))
    .filter((f) => !mentions.some((m) => m.start < f.end && f.start < m.end));
  // Each finding's nearest mention, found once (per mention it made the sentence's work cubic).
  const nearest = findings.map((f) => nearestMention(f, mentions));

  for (const mention of mentions) {
    const assertion = assertionStatus(asserted, mention);
    const attached = findings.filter((_, i) => nearest[i] === mention);
    const modifiesFinding =
      mention.adjective ||
      mention.finding ||
      findings.some((f) => wordsBetween(text, mention.end, f.start) <= 3 && f.start >= mention.end) ||
      (assertion.cue !== undefined &&
        findings.some((f) => f.start >= assertion.cue!.end && f.end <= mention.start));
    let status: TagStatus;
    let span: { start: number; end: number } = mention;
    if (assertion.status !== 'present') {
      // "No focal hepatic lesion", "no hepatomegaly": the negation or hedge is about a finding of
      // the organ, which is itself seen and (as far as stated) normal.
      status = modifiesFinding ? 'present' : assertion.status;
    } else if (mention.finding) status = 'abnormal';
    else {
      const finding = attached.find((f) => assertionStatus(asserted, f).status === 'present');
      status = finding ? 'abnormal' : 'present';
      if (finding)
        span = { start: Math.min(mention.start, finding.start), end: Math.max(mention.end, finding.end) };
    }
    candidates.push({
      tag: mention.tag,
      status,
      rank: RANK[status],
      evidence: evidence(span.start, span.end),
    });
  }

  for (const tag of tags) {
    for (const resection of tag.resections) {
      for (const span of findResection(text, tag, resection.terms)) {
        if (assertionStatus(text, span).status !== 'present') continue;
        const partial =
          resection.partial ||
          /\bpartial\b/i.test(text.slice(span.start, span.end)) ||
          /\bpartial\s+$/i.test(text.slice(0, span.start));
        const status: TagStatus = partial ? 'abnormal' : 'absent';
        candidates.push({
          tag,
          status,
          rank: partial ? RANK.abnormal : RANK.resected,
          evidence: evidence(span.start, span.end),
        });
      }
    }
  }
  return candidates;
}

/** `text` with a colon that follows a mention (after optional white space) read as a space. */
function colonsAfterMentionsAsSpaces(text: string, mentions: Mention[]): string {
  const units = text.split(''); // UTF-16 code units, so mention offsets index it directly
  for (const m of mentions) {
    let i = m.end;
    while (i < units.length && /\s/.test(units[i]!)) i++;
    if (units[i] === ':') units[i] = ' ';
  }
  return units.join('');
}

/** Spans of a resection term; for a paired organ the side (or "bilateral") must precede it. */
function findResection(text: string, tag: OrganTag, terms: string[]): { start: number; end: number }[] {
  const alternatives = terms.map((t) => t.split(/\s+/).join('\\s+')).join('|');
  const side = tag.side ? `(?:(?:${tag.side}|bilateral)\\s+(?:partial\\s+)?)` : '';
  const pattern = new RegExp(`(?<![A-Za-z0-9-])${side}(?:${alternatives})(?:ies|s)?(?![A-Za-z0-9-])`, 'gi');
  return [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

/** The mention closest to a finding word (ties go to the one before it: "the spleen is enlarged"). */
function nearestMention(finding: { start: number; end: number }, mentions: Mention[]): Mention | undefined {
  let best: Mention | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const m of mentions) {
    const distance = m.end <= finding.start ? finding.start - m.end : m.start - finding.end + 0.5;
    if (distance < bestDistance) [best, bestDistance] = [m, distance];
  }
  return best;
}

/** Number of word tokens in text[from, to); punctuation in between counts as a barrier (Infinity). */
function wordsBetween(text: string, from: number, to: number): number {
  if (to < from) return Number.POSITIVE_INFINITY;
  const tokens = tokenize(text.slice(from, to));
  if (tokens.some((t) => t.punct)) return Number.POSITIVE_INFINITY;
  return tokens.length;
}

// For findings in general, one affirmative mention makes the finding positive (CheXpert's rule).
const CONCEPT_RANK: Record<TagStatus, number> = { abnormal: 4, present: 3, uncertain: 2, absent: 1 };

/**
 * Assertion of arbitrary concepts (phrases) in a report, for evaluation with given concepts: every
 * occurrence is judged and the most specific status kept, as for organ tags.
 */
export function tagConcepts(text: string, concepts: string[]): TagResult[] {
  const results: TagResult[] = [];
  const sentences = detectSections(text)
    .filter((s) => s.describesExam)
    .flatMap((section) =>
      boundSentences(splitSentences(section.text)).map((s) => ({
        ...s,
        start: section.start + s.start,
        end: section.start + s.end,
      })),
    );
  for (const concept of concepts) {
    const words = concept.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const pattern = new RegExp(
      `(?<![A-Za-z0-9-])${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+')}(?![A-Za-z0-9-])`,
      'gi',
    );
    let best: TagResult | undefined;
    for (const sentence of sentences) {
      for (const match of sentence.text.matchAll(pattern)) {
        const span = { start: match.index, end: match.index + match[0].length };
        const status = assertionStatus(sentence.text, span).status;
        if (best && CONCEPT_RANK[best.status] >= CONCEPT_RANK[status]) continue;
        best = {
          tag: concept,
          status,
          evidence: {
            sentence: sentence.text,
            start: sentence.start + span.start,
            end: sentence.start + span.end,
          },
        };
      }
    }
    if (best) results.push(best);
  }
  return results;
}
