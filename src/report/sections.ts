import type { Span } from './text.js';

/** The report sections mosmos recognises; "body" is text before any heading. */
export type SectionName =
  | 'body'
  | 'findings'
  | 'impression'
  | 'history'
  | 'indication'
  | 'comparison'
  | 'technique'
  | 'other';

export interface Section extends Span {
  name: SectionName;
  /** The heading as written ("CLINICAL HISTORY"); empty for the body. */
  heading: string;
  /** Whether statements here describe this examination (history and technique do not). */
  describesExam: boolean;
}

const HEADINGS: [RegExp, SectionName][] = [
  [/^(findings?|observations?|report)$/, 'findings'],
  [/^(impressions?|conclusions?|summary|opinion|diagnosis)$/, 'impression'],
  [/^(clinical history|history|clinical information|clinical details|clinical notes?)$/, 'history'],
  [/^(indications?|reason for (exam|examination|study)|clinical indication)$/, 'indication'],
  [/^(comparisons?|prior studies)$/, 'comparison'],
  [/^(technique|procedure|protocol|contrast)$/, 'technique'],
];

// A heading is a short phrase followed by a colon at the start of a line, the text or a sentence.
const HEADING = /(^|\n|\.\s+)[ \t]*([A-Za-z][A-Za-z ]{1,40}?)[ \t]*:/g;

/**
 * Splits a report into sections by its headings (FINDINGS:, IMPRESSION:, CLINICAL HISTORY: …).
 * Unknown headings ("ABDOMEN:") do not start a section, so organ labels inside findings stay there.
 */
export function detectSections(text: string): Section[] {
  const starts: { index: number; bodyStart: number; heading: string; name: SectionName }[] = [];
  for (const match of text.matchAll(HEADING)) {
    const heading = match[2]!.trim();
    const name = HEADINGS.find(([pattern]) => pattern.test(heading.toLowerCase()))?.[1];
    if (!name) continue;
    const index = match.index + match[1]!.length;
    starts.push({ index, bodyStart: match.index + match[0].length, heading, name });
  }
  const sections: Section[] = [];
  const push = (name: SectionName, heading: string, start: number, end: number) => {
    if (end <= start && heading === '') return;
    const describesExam = name === 'body' || name === 'findings' || name === 'impression' || name === 'other';
    sections.push({ name, heading, text: text.slice(start, end), start, end, describesExam });
  };
  push('body', '', 0, starts[0]?.index ?? text.length);
  starts.forEach((s, i) => {
    push(s.name, s.heading, s.bodyStart, starts[i + 1]?.index ?? text.length);
  });
  return sections.filter((s) => s.text.trim() !== '' || s.heading !== '');
}
