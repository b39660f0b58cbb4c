// Sentences for the variation a label map cannot show (lesions keep their organ's label) or that a
// report generator may state in other words, so every generated report mentions what was varied.
import type { PhantomFindings, PhantomLesion } from './findings.js';
import type { PhantomOrgan } from './organs.js';

/** What a report already says about a tag, as the report tagger reads it. */
export type StatedStatus = 'present' | 'absent' | 'uncertain' | 'abnormal';

/** The status each varied organ must have in the report: resected → absent, the rest → abnormal. */
export function expectedTags(findings: PhantomFindings): Map<PhantomOrgan, 'absent' | 'abnormal'> {
  const tags = new Map<PhantomOrgan, 'absent' | 'abnormal'>();
  for (const organ of [...findings.enlarged, ...findings.atrophic, ...findings.lesions.map((l) => l.organ)]) {
    tags.set(organ, 'abnormal');
  }
  for (const organ of findings.absent) tags.set(organ, 'absent');
  return tags;
}

/**
 * Report sentences for each finding whose organ the report does not yet state with the expected
 * status (`stated` is the tagger's reading of the report so far).
 */
export function findingSentences(findings: PhantomFindings, stated: ReadonlyMap<string, StatedStatus>): string[] {
  const sentences: string[] = [];
  const missing = (organ: PhantomOrgan, status: 'absent' | 'abnormal') => stated.get(organ) !== status;
  findings.absent.forEach((organ, i) => {
    if (missing(organ, 'absent')) sentences.push(`Status post ${findings.procedures[i]}.`);
  });
  for (const organ of findings.enlarged) {
    if (missing(organ, 'abnormal')) sentences.push(`The ${organ} is enlarged.`);
  }
  for (const organ of findings.atrophic) {
    if (missing(organ, 'abnormal')) sentences.push(`The ${organ} is atrophic.`);
  }
  const byOrgan = new Map<PhantomOrgan, PhantomLesion[]>();
  for (const lesion of findings.lesions) byOrgan.set(lesion.organ, [...(byOrgan.get(lesion.organ) ?? []), lesion]);
  for (const [organ, lesions] of byOrgan) {
    if (!missing(organ, 'abnormal')) continue;
    const largest = Math.round(2 * Math.max(...lesions.map((l) => l.radiusMm)));
    const kind = lesions[0]!.kind;
    sentences.push(
      lesions.length === 1
        ? `A ${largest} mm ${kind === 'cyst' ? 'simple cyst' : kind} in the ${organ}.`
        : `${lesions.length} ${kind === 'cyst' ? 'simple cysts' : `${kind}s`} in the ${organ}, the largest ${largest} mm.`,
    );
  }
  return sentences;
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
