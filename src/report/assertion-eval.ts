// Loaders and scores for the real assertion corpora (NegEx annotations, CheXpert labelled reports),
// shared by `bench/tags.ts` and the tests that hold the tagger to beating plain NegEx.
import { readFileSync } from 'node:fs';
import { fileError } from '../errors.js';
import type { Span } from './text.js';

/** One evaluation item: a concept at a span of a sentence, with its gold status. */
export interface AssertionItem {
  /** Report number (NegEx) or report index (CheXpert). */
  report: number;
  concept: string;
  sentence: string;
  span: { start: number; end: number };
  gold: 'positive' | 'negative' | 'uncertain';
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw fileError(path, 'cannot read the file');
  }
}

/**
 * Where the annotated concept sits in its sentence. The NegEx annotators upper-cased the concept
 * inside the sentence, so an upper-case occurrence is preferred; white space may differ; a concept
 * cut by the sentence splitter is matched by its longest leading run of words.
 */
export function locateConcept(sentence: string, concept: string): { start: number; end: number } | undefined {
  const words = concept
    .trim()
    .replace(/^"|"$/g, '')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  for (let n = words.length; n > 0; n--) {
    const escaped = words.slice(0, n).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const pattern = new RegExp(`(?<![A-Za-z0-9])${escaped.join('\\W+')}(?![A-Za-z0-9])`, 'gi');
    const found = [...sentence.matchAll(pattern)];
    if (found.length === 0) continue;
    const upper = found.find((m) => m[0] === m[0].toUpperCase()) ?? found[0]!;
    return { start: upper.index, end: upper.index + upper[0].length };
  }
  return undefined;
}

/** Reads NegEx's `annotations-*.tsv` (Report No., Concept, Sentence, Affirmed|Negated). */
export function loadNegexAnnotations(path: string): AssertionItem[] {
  const lines = readText(path).split(/\r?\n/);
  const items: AssertionItem[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split('\t');
    if (fields.length < 4) throw fileError(path, `line ${i + 2}: expected 4 tab-separated fields`);
    const [report, concept, quoted, label] = fields as [string, string, string, string];
    const sentence = quoted.startsWith('"') && quoted.endsWith('"') ? quoted.slice(1, -1) : quoted;
    const gold =
      label.trim() === 'Negated' ? 'negative' : label.trim() === 'Affirmed' ? 'positive' : undefined;
    if (!gold) throw fileError(path, `line ${i + 2}: status "${label}" is neither Affirmed nor Negated`);
    const span = locateConcept(sentence, concept);
    if (!span) return; // the concept is not in the sentence given; nothing to judge
    items.push({ report: Number(report), concept: concept.trim(), sentence, span, gold });
  });
  return items;
}

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * How a CheXpert finding is written in a report. CheXpert labels whole reports; to score mentions
 * we find these phrases, judge each mention, and combine them with CheXpert's own rule (positive if
 * any mention is positive, else uncertain if any is uncertain, else negative). "No Finding" is not a
 * mention and is skipped.
 */
export const chexpertMentions: Record<string, string[]> = {
  'Enlarged Cardiomediastinum': ['enlarged cardiomediastinum', 'widened mediastinum', 'mediastinal widening'],
  Cardiomegaly: ['cardiomegaly', 'enlarged heart', 'enlarged cardiac silhouette'],
  'Lung Lesion': ['nodule', 'nodules', 'mass', 'lesion'],
  'Lung Opacity': ['opacity', 'opacities', 'airspace disease', 'infiltrate', 'infiltrates'],
  Edema: ['edema'],
  Consolidation: ['consolidation'],
  Pneumonia: ['pneumonia'],
  Atelectasis: ['atelectasis'],
  Pneumothorax: ['pneumothorax'],
  'Pleural Effusion': ['effusion', 'effusions'],
  'Pleural Other': ['pleural thickening', 'fibrothorax'],
  Fracture: ['fracture', 'fractures'],
  'Support Devices': ['picc', 'line', 'tube', 'pacemaker', 'catheter'],
};

/** A CheXpert report with its labelled findings and the spans where each is mentioned. */
export interface ChexpertCase {
  report: number;
  text: string;
  findings: { finding: string; gold: 'positive' | 'negative' | 'uncertain'; mentions: Span[] }[];
  /** Labelled findings with no mention found by `chexpertMentions`. */
  unmatched: string[];
}

/** Reads CheXpert's `labeled_reports.csv` (Reports, then one column per finding: 1, 0, -1 or empty). */
export function loadChexpertLabels(path: string): ChexpertCase[] {
  const rows = parseCsv(readText(path)).filter((r) => r.some((f) => f.trim() !== ''));
  const header = rows[0];
  if (header?.[0] !== 'Reports') throw fileError(path, 'expected a header row starting with "Reports"');
  return rows.slice(1).map((row, r) => {
    const text = row[0] ?? '';
    const lower = text.toLowerCase();
    const result: ChexpertCase = { report: r + 1, text, findings: [], unmatched: [] };
    header.slice(1).forEach((finding, c) => {
      const value = (row[c + 1] ?? '').trim();
      if (value === '' || !(finding in chexpertMentions)) return;
      const gold = Number(value) === 1 ? 'positive' : Number(value) === 0 ? 'negative' : 'uncertain';
      const mentions: Span[] = [];
      for (const phrase of chexpertMentions[finding]!) {
        const pattern = new RegExp(`(?<![a-z])${phrase}(?![a-z])`, 'g');
        for (const m of lower.matchAll(pattern)) {
          if (!mentions.some((s) => s.start < m.index + phrase.length && m.index < s.end))
            mentions.push({
              text: text.slice(m.index, m.index + phrase.length),
              start: m.index,
              end: m.index + phrase.length,
            });
        }
      }
      if (mentions.length === 0) result.unmatched.push(finding);
      else result.findings.push({ finding, gold, mentions });
    });
    return result;
  });
}

/** CheXpert's rule for combining mention statuses into a report-level label. */
export function combineMentions(
  statuses: ('positive' | 'negative' | 'uncertain')[],
): 'positive' | 'negative' | 'uncertain' {
  if (statuses.includes('positive')) return 'positive';
  if (statuses.includes('uncertain')) return 'uncertain';
  return 'negative';
}

/** Accuracy and precision/recall/F1 of the negated class. */
export interface NegationScores {
  n: number;
  accuracy: number;
  negatedPrecision: number;
  negatedRecall: number;
  negatedF1: number;
}

/**
 * Scores predictions against gold labels. Accuracy counts exact label agreement (so with
 * three-way gold, "uncertain" must be predicted as such); the negated-class figures treat
 * "negative" as the positive class.
 */
export function scoreNegation(
  gold: AssertionItem['gold'][],
  predicted: AssertionItem['gold'][],
): NegationScores {
  let correct = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  gold.forEach((g, i) => {
    const p = predicted[i];
    if (g === p) correct++;
    if (g === 'negative' && p === 'negative') tp++;
    else if (p === 'negative') fp++;
    else if (g === 'negative') fn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    n: gold.length,
    accuracy: gold.length === 0 ? 0 : correct / gold.length,
    negatedPrecision: precision,
    negatedRecall: recall,
    negatedF1: f1,
  };
}
