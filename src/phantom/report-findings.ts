// Makes a generated report state the variation the label map cannot show (lesions keep their organ's
// label) or that the report generator words as normal (an atrophic pancreas), so that every report
// mentions what was varied and never contradicts it.
import { tagReport } from '../report/tagger.js';
import type { TagVocabulary } from '../report/vocabularies.js';
import type { PhantomFindings, PhantomLesion } from './findings.js';
import type { PhantomOrgan } from './organs.js';

/** The status each varied organ must have in the report: resected → absent, the rest → abnormal. */
export function expectedTags(findings: PhantomFindings): Map<PhantomOrgan, 'absent' | 'abnormal'> {
  const tags = new Map<PhantomOrgan, 'absent' | 'abnormal'>();
  for (const organ of [...findings.enlarged, ...findings.atrophic, ...findings.lesions.map((l) => l.organ)]) {
    tags.set(organ, 'abnormal');
  }
  for (const organ of findings.absent) tags.set(organ, 'absent');
  return tags;
}

/** What to say about one varied organ: its status (resected, enlarged, atrophic) and its lesions. */
export interface OrganStatement {
  status?: string;
  lesions?: string;
}

/** Sentences per varied organ, in the words a radiologist would use. */
export function findingSentences(findings: PhantomFindings): Map<PhantomOrgan, OrganStatement> {
  const statements = new Map<PhantomOrgan, OrganStatement>();
  findings.absent.forEach((organ, i) => {
    statements.set(organ, { status: `Status post ${findings.procedures[i]}.` });
  });
  for (const organ of findings.enlarged) statements.set(organ, { status: `The ${organ} is enlarged.` });
  for (const organ of findings.atrophic) statements.set(organ, { status: `The ${organ} is atrophic.` });
  const byOrgan = new Map<PhantomOrgan, PhantomLesion[]>();
  for (const lesion of findings.lesions)
    byOrgan.set(lesion.organ, [...(byOrgan.get(lesion.organ) ?? []), lesion]);
  for (const [organ, lesions] of byOrgan) {
    const largest = Math.round(2 * Math.max(...lesions.map((l) => l.radiusMm)));
    const cyst = lesions[0]!.kind === 'cyst';
    const text =
      lesions.length === 1
        ? `${article(largest)} ${largest} mm ${cyst ? 'simple cyst' : 'hypodense lesion'} in the ${organ}.`
        : `${lesions.length} ${cyst ? 'simple cysts' : 'hypodense lesions'} in the ${organ}, the largest ${largest} mm.`;
    statements.set(organ, { ...statements.get(organ), lesions: text });
  }
  return statements;
}

/** "An 8 mm", "an 11 mm", "an 18 mm", "an 80 mm" — the article follows the spoken number. */
const article = (n: number) => (/^(8|11|18)$|^8\d$/.test(String(n)) ? 'An' : 'A');

const joined = (s: OrganStatement) => [s.status, s.lesions].filter(Boolean).join(' ');

interface Edit {
  start: number;
  end: number;
  text: string;
}

const NORMAL_IMPRESSION = /^(No acute abnormality in the abdomen or pelvis\.|Unremarkable examination\.)$/m;

/**
 * Revises `report` so that the tagger reads every finding with its expected status: a sentence that
 * calls a varied organ normal is replaced, one that already says it is abnormal is followed by the
 * missing details (lesions), and a "normal" impression is replaced by the findings.
 */
export function reviseReport(report: string, findings: PhantomFindings, vocabulary: TagVocabulary): string {
  const expected = expectedTags(findings);
  const statements = findingSentences(findings);
  const stated = new Map(tagReport(report, vocabulary).map((t) => [t.tag, t]));
  const edits: Edit[] = [];
  const appended: string[] = [];
  const added: string[] = [];
  for (const [organ, statement] of statements) {
    const current = stated.get(organ);
    const said = current?.status === expected.get(organ);
    if (said && !statement.lesions) continue;
    const ev = current?.evidence;
    if (!ev) {
      appended.push(joined(statement));
      added.push(joined(statement));
      continue;
    }
    const end = sentenceEnd(report, ev.end);
    if (said) {
      edits.push({ start: end, end, text: ` ${statement.lesions}` });
      added.push(statement.lesions!);
      continue;
    }
    added.push(joined(statement));
    // Replace a sentence about this organ alone that says something else; otherwise add after it.
    const alone = tagReport(ev.sentence, vocabulary).every((t) => t.tag === organ);
    edits.push(
      alone
        ? { start: sentenceStart(report, ev.start), end, text: joined(statement) }
        : { start: end, end, text: ` ${joined(statement)}` },
    );
  }
  let revised = report;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    revised = revised.slice(0, edit.start) + edit.text + revised.slice(edit.end);
  }
  if (appended.length > 0) revised = insertFindings(revised, appended);
  // The impression repeats what was added: in place of a "normal" impression, else after it.
  if (added.length === 0) return revised;
  if (NORMAL_IMPRESSION.test(revised)) return revised.replace(NORMAL_IMPRESSION, added.join(' '));
  return /\n[ \t]*IMPRESSION\b/i.test(revised) ? `${revised.trimEnd()}\n${added.join(' ')}\n` : revised;
}

/** Index where the sentence holding `index` begins (after the previous '.', or at a line start). */
function sentenceStart(text: string, index: number): number {
  let i = index;
  while (i > 0 && text[i - 1] !== '\n' && !(text[i - 2] === '.' && text[i - 1] === ' ')) i--;
  return i;
}

/** Index just past the full stop ending the sentence that holds `index` (not a decimal point). */
function sentenceEnd(text: string, index: number): number {
  let i = Math.max(index - 1, 0);
  while (i < text.length && text[i] !== '\n' && !(text[i] === '.' && !/\d/.test(text[i + 1] ?? ''))) i++;
  return text[i] === '.' ? i + 1 : i;
}

/** Puts `sentences` at the end of the report's findings, before an IMPRESSION section when there is one. */
export function insertFindings(report: string, sentences: string[]): string {
  if (sentences.length === 0) return report;
  const text = sentences.join(' ');
  const impression = /\n[ \t]*IMPRESSION\b/i.exec(report);
  if (!impression) return `${report.trimEnd()}\n${text}\n`;
  const before = report.slice(0, impression.index).trimEnd();
  return `${before}\n${text}\n${report.slice(impression.index).replace(/^\n+/, '\n')}`;
}
