/**
 * Multi-hot tag targets from report tags (DESIGN.md §1): present or abnormal → 1, absent (negated,
 * resected) → 0, uncertain → ignored, not mentioned → 1 for organs always imaged in the field of view
 * ("normal anatomy present") else ignored. Ignored entries are -1 and carry no loss.
 */

export type ReportTagStatus = 'present' | 'absent' | 'uncertain' | 'abnormal';

/** Target value of an ignored tag: the loss masks it out. */
export const IGNORE = -1;

/**
 * Organs that an abdominal CT or MR always covers, so a report that does not mention them implies
 * normal anatomy. Names are matched case-insensitively against the vocabulary's tag names. Small or
 * often-absent structures (gallbladder, adrenal glands, duodenum, oesophagus, bladder, prostate/uterus)
 * are left out: silence about them says nothing. Pass `alwaysImaged` to replace this list.
 */
export const defaultAlwaysImaged: readonly string[] = [
  'liver',
  'spleen',
  'right kidney',
  'left kidney',
  'kidney',
  'stomach',
  'aorta',
  'inferior vena cava',
  'pancreas',
];

/** Targets for one report over `tags` (the vocabulary order). */
export function tagTargets(
  tags: readonly string[],
  statuses: Readonly<Record<string, ReportTagStatus>>,
  alwaysImaged: readonly string[] = defaultAlwaysImaged,
): Float32Array {
  const always = new Set(alwaysImaged.map((t) => t.toLowerCase()));
  const lower = new Map(Object.entries(statuses).map(([k, v]) => [k.toLowerCase(), v]));
  const out = new Float32Array(tags.length);
  tags.forEach((tag, i) => {
    const status = lower.get(tag.toLowerCase());
    if (status === 'present' || status === 'abnormal') out[i] = 1;
    else if (status === 'absent') out[i] = 0;
    else if (status === 'uncertain') out[i] = IGNORE;
    else out[i] = always.has(tag.toLowerCase()) ? 1 : IGNORE;
  });
  return out;
}

/**
 * Collapses a tagger's list of findings (one per mention) to one status per tag. Several mentions of a
 * tag resolve by certainty: absent (e.g. resected) wins over present, abnormal over present, and any
 * definite status over uncertain — a report that says "no splenic lesion" and "spleen is absent" is
 * about an absent spleen.
 */
export function statusPerTag(
  findings: readonly { tag: string; status: ReportTagStatus }[],
): Record<string, ReportTagStatus> {
  const rank: Record<ReportTagStatus, number> = { uncertain: 0, present: 1, abnormal: 2, absent: 3 };
  const out: Record<string, ReportTagStatus> = {};
  for (const f of findings) {
    const prev = out[f.tag];
    if (prev === undefined || rank[f.status] > rank[prev]) out[f.tag] = f.status;
  }
  return out;
}
