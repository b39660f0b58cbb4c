// Reads what `mosmos tags` is given: one report as plain text, or JSON Lines of reports.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileError } from '../errors.js';
import { assertRegularFile } from '../io/input-file.js';
import { type TagResult, tagConcepts, tagReport } from './tagger.js';
import type { TagVocabulary } from './vocabularies.js';

/** One report to tag; `concepts`, when given, replace the vocabulary as targets. */
export interface ReportInput {
  id: string;
  text: string;
  concepts?: string[];
}

/**
 * Reads a `.txt` report (one report, id = file name) or a `.jsonl` file of
 * `{"id", "text", "concepts"?: [phrases]}` lines. An empty report is an error naming the file and line.
 */
export function readReportInputs(path: string): ReportInput[] {
  let content: string;
  assertRegularFile(path, 'a .txt report or a .jsonl file of reports');
  try {
    content = readFileSync(path, 'utf8');
  } catch {
    throw fileError(path, 'cannot read the file');
  }
  if (!/\.jsonl?$/i.test(path)) {
    if (content.trim() === '') throw fileError(path, 'the report is empty');
    return [{ id: basename(path), text: content }];
  }
  const inputs: ReportInput[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw fileError(path, `${where}: not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw fileError(path, `${where}: expected an object {"id", "text", "concepts"?}`);
    const record = value as Record<string, unknown>;
    const text = record.text ?? record.report;
    if (typeof text !== 'string') throw fileError(path, `${where}: "text" must be a string`);
    if (text.trim() === '') throw fileError(path, `${where}: the report text is empty`);
    const concepts = record.concepts;
    if (
      concepts !== undefined &&
      (!Array.isArray(concepts) || !concepts.every((c) => typeof c === 'string' && c.trim() !== ''))
    )
      throw fileError(path, `${where}: "concepts" must be a list of non-empty phrases`);
    const id = record.id === undefined ? String(i + 1) : String(record.id);
    inputs.push(concepts ? { id, text, concepts: concepts as string[] } : { id, text });
  });
  if (inputs.length === 0) throw fileError(path, 'no reports found');
  return inputs;
}

/** Tags of one input: its given concepts, or the vocabulary's organ tags. */
export function tagInput(input: ReportInput, vocabulary: TagVocabulary): TagResult[] {
  return input.concepts ? tagConcepts(input.text, input.concepts) : tagReport(input.text, vocabulary);
}
