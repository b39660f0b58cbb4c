/**
 * The image–report pairs manifest (DESIGN.md §3): JSON Lines, one
 * `{"image": path, "report": text or path to a .txt, "tags"?: {...}, "generated"?: true}` per line,
 * image and report paths relative to the manifest's folder.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileError, InputError } from '../errors.js';

/** Tag status as the report tagger gives it, or as written in the manifest. */
export type PairTagStatus = 'present' | 'absent' | 'uncertain' | 'abnormal';

export interface ImageReportPair {
  /** 1-based line number in the manifest, for messages. */
  line: number;
  /** Absolute image path (a .nii/.nii.gz file or a DICOM folder). */
  image: string;
  /** The report text. */
  report: string;
  /** Tags from the manifest, when given there (else the tagger's). */
  tags?: Record<string, PairTagStatus>;
  generated: boolean;
}

export interface ReadPairsOptions {
  /** Skip and count bad lines instead of stopping at the first. */
  skipBad?: boolean;
  /**
   * Finds the tags of a report (the report tagger). A report for which it finds none is a bad line:
   * it would teach the recognition head nothing.
   */
  tagReport?: (text: string) => Record<string, PairTagStatus>;
}

export interface PairsManifest {
  path: string;
  pairs: ImageReportPair[];
  /** Lines skipped with `skipBad`, each with its reason. */
  skipped: { line: number; reason: string }[];
}

const statuses = new Set(['present', 'absent', 'uncertain', 'abnormal']);

function checkReadable(path: string): string | undefined {
  if (!existsSync(path)) return `image not found: ${path}`;
  try {
    accessSync(path, constants.R_OK);
  } catch {
    return `image not readable: ${path}`;
  }
  return undefined;
}

/** Parses one manifest line; throws an InputError naming the problem (the caller adds the line). */
function parseLine(text: string, line: number, base: string, options: ReadPairsOptions): ImageReportPair {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw new InputError('expected a JSON object with "image" and "report"');
  const r = record as Record<string, unknown>;
  if (typeof r.image !== 'string' || r.image === '') throw new InputError('missing "image" path');
  if (typeof r.report !== 'string') throw new InputError('missing "report" (text or path to a .txt)');
  const image = isAbsolute(r.image) ? r.image : resolve(base, r.image);
  const problem = checkReadable(image);
  if (problem) throw new InputError(problem);
  let report = r.report;
  if (/\.txt$/i.test(report.trim()) && !report.includes('\n')) {
    const reportPath = isAbsolute(report.trim()) ? report.trim() : resolve(base, report.trim());
    if (!existsSync(reportPath) || !statSync(reportPath).isFile())
      throw new InputError(`report file not found: ${reportPath}`);
    report = readFileSync(reportPath, 'utf8');
  }
  if (report.trim() === '') throw new InputError('empty report');
  let tags: Record<string, PairTagStatus> | undefined;
  if (r.tags !== undefined) {
    if (typeof r.tags !== 'object' || r.tags === null || Array.isArray(r.tags))
      throw new InputError('"tags" must be an object of tag → status');
    tags = {};
    for (const [tag, status] of Object.entries(r.tags as Record<string, unknown>)) {
      if (typeof status !== 'string' || !statuses.has(status))
        throw new InputError(`tag "${tag}": status must be present, absent, uncertain or abnormal`);
      tags[tag] = status as PairTagStatus;
    }
  }
  if (!tags && options.tagReport) {
    const found = options.tagReport(report);
    if (Object.keys(found).length === 0) throw new InputError('no organ tag found in the report');
  } else if (tags && Object.keys(tags).length === 0) throw new InputError('"tags" is empty');
  return { line, image, report, tags, generated: r.generated === true };
}

/** Reads and checks a pairs manifest; a bad line is an error naming it, or skipped with `skipBad`. */
export function readPairs(path: string, options: ReadPairsOptions = {}): PairsManifest {
  if (!existsSync(path)) throw fileError(path, 'pairs manifest not found');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError(path, `cannot read (${(error as Error).message})`);
  }
  const base = dirname(resolve(path));
  const pairs: ImageReportPair[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    try {
      pairs.push(parseLine(raw, i + 1, base, options));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      if (!options.skipBad)
        throw fileError(`${path}:${i + 1}`, `${error.message} (pass --skip-bad to skip such lines)`);
      skipped.push({ line: i + 1, reason: error.message });
    }
  }
  if (pairs.length === 0) throw fileError(path, 'no usable image–report pairs');
  return { path, pairs, skipped };
}
