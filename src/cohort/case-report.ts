// The generated report of a grown case: the project's report generator describes the case's label
// map, the phantom's reviser makes it state every finding the label map cannot show (lesions,
// atrophy), and the technique line names the case's contrast phase.

import type { PhantomFindings } from '../phantom/findings.js';
import { expectedTags, reviseReport } from '../phantom/report-findings.js';
import { generateReport } from '../report/generate.js';
import type { TagVocabulary } from '../report/vocabularies.js';
import type { Volume } from '../volume/volume.js';
import type { ContrastPhase } from './contrast-phase.js';

export interface CaseReport {
  text: string;
  tags: Record<string, 'present' | 'absent' | 'uncertain' | 'abnormal'>;
}

const TECHNIQUE: Record<ContrastPhase, string[]> = {
  'non-contrast': [
    'CT of the abdomen without intravenous contrast.',
    'Unenhanced CT of the abdomen and pelvis.',
  ],
  arterial: [
    'Contrast-enhanced CT of the abdomen, late arterial phase.',
    'CT of the abdomen with intravenous contrast in the arterial phase.',
  ],
  'portal-venous': [
    'Contrast-enhanced CT of the abdomen, portal venous phase.',
    'CT of the abdomen and pelvis with intravenous contrast, portal venous phase.',
  ],
};

/** The report of one case; `labelNames` names the label map's values (e.g. BTCV's). */
export function caseReport(
  label: Volume,
  findings: PhantomFindings,
  phase: ContrastPhase,
  vocabulary: TagVocabulary,
  labelNames: Record<number, string>,
  seed: number,
): CaseReport {
  const generated = generateReport(label, vocabulary, { seed, labelNames });
  const techniques = TECHNIQUE[phase];
  const technique = techniques[seed % techniques.length]!;
  const text = reviseReport(generated.text, findings, vocabulary).replace(
    /^TECHNIQUE: .*$/m,
    `TECHNIQUE: ${technique}`,
  );
  const tags: CaseReport['tags'] = { ...generated.tags };
  for (const [organ, status] of expectedTags(findings)) tags[organ] = status;
  return { text, tags };
}
