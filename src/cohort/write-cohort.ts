// A cohort on disk in BTCV layout, grown from one or several labelled real scans (case k from source
// k mod n, so every source gets its share in any prefix of the cohort) and written case by case: only
// one case is in memory at a time, so a 200-case cohort needs no more memory than one. The folder is built
// beside its destination and renamed into place at the end; an existing folder is refused without
// `force`.
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BTCV_VALIDATION_IDS } from '../data/btcv.js';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { writeNifti } from '../io/nifti/index.js';
import type { PhantomFindings } from '../phantom/findings.js';
import { Random } from '../phantom/random.js';
import { getVocabulary } from '../report/vocabularies.js';
import { version } from '../version.js';
import type { AcquisitionRanges } from './acquisition.js';
import { caseReport } from './case-report.js';
import type { ContrastPhase } from './contrast-phase.js';
import { type GrownCase, growCase } from './grow-case.js';
import type { SourceScan } from './source-scan.js';
import type { StomachFilling } from './stomach-contents.js';

export interface CohortOptions {
  cases: number;
  seed: number;
  variation?: number;
  acquisition?: Partial<AcquisitionRanges>;
  force?: boolean;
  /** Called after each case is on disk, with the paths written (progress, streaming checks). */
  onCase?: (done: number, total: number, written: { image: string; label: string }) => void;
}

/** One line of `pairs.jsonl` (paths relative to the dataset root). */
export interface CohortPair {
  image: string;
  label: string;
  report: string;
  tags: Record<string, 'present' | 'absent' | 'uncertain' | 'abnormal'>;
  generated: true;
  case: string;
  seed: number;
  /** The real scan this case was grown from (its path as given). */
  source: string;
  phase: ContrastPhase;
  /** What the stomach holds (not reported: a normal variant, not a finding). */
  stomach: StomachFilling;
  findings: PhantomFindings;
  spacing: [number, number, number];
}

/**
 * Case numbers in BTCV's training range: the adapter treats 0035–0040 as its validation cases, and
 * variants of one patient must never pass for held-out patients, so those numbers are skipped.
 */
export function cohortCaseIds(count: number): string[] {
  const ids: string[] = [];
  for (let n = 1; ids.length < count; n++) {
    const id = String(n).padStart(4, '0');
    if (!BTCV_VALIDATION_IDS.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * Grows `options.cases` cases from `source` (one scan or several, all mapped onto the same target
 * organs) into `dir` (BTCV layout + pairs.jsonl + cohort.json).
 *
 * @example await writeCohort('cohort', await readSourceScan(ct, seg, names, mapping), { cases: 20, seed: 1 })
 */
export async function writeCohort(
  dir: string,
  source: SourceScan | readonly SourceScan[],
  options: CohortOptions,
): Promise<{ root: string; pairs: string; cases: number }> {
  const sources = Array.isArray(source) ? (source as readonly SourceScan[]) : [source as SourceScan];
  if (sources.length === 0) throw fileError(dir, 'a cohort needs at least one source scan');
  const first = sources[0]!;
  for (const other of sources.slice(1))
    if (other.mapping.target !== first.mapping.target)
      throw fileError(
        other.path,
        `its labels are mapped onto ${other.mapping.target}, the first source's onto ${first.mapping.target}`,
      );
  if (!Number.isInteger(options.cases) || options.cases < 1 || options.cases > 9000)
    throw fileError(dir, `number of cases must be an integer from 1 to 9000, got ${options.cases}`);
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0 && !options.force)
    throw fileError(dir, 'output folder exists and is not empty (pass --force to replace it)');
  mkdirSync(dirname(root), { recursive: true });
  const building = join(dirname(root), `.${basename(root)}.${process.pid}.${Date.now()}.tmp`);
  mkdirSync(join(building, 'img'), { recursive: true });
  mkdirSync(join(building, 'label'), { recursive: true });
  const vocabulary = getVocabulary(first.mapping.target);
  const labelNames = first.mapping.targetNames;
  const pairsPath = join(building, 'pairs.jsonl');
  try {
    const seeds = new Random(options.seed);
    const ids = cohortCaseIds(options.cases);
    const phases: Record<string, number> = {};
    const stomachFillings: Record<string, number> = {};
    const perSource = sources.map(() => 0);
    for (const [index, id] of ids.entries()) {
      const seed = seeds.nextUint32();
      const from = sources[index % sources.length]!;
      perSource[index % sources.length]!++;
      let grown: GrownCase | undefined = growCase(from, {
        seed,
        variation: options.variation,
        acquisition: options.acquisition,
      });
      const image = `img/img${id}.nii.gz`;
      const label = `label/label${id}.nii.gz`;
      const description = `mosmos cohort seed ${seed}`;
      await writeNifti(join(building, image), grown.image, { description });
      await writeNifti(join(building, label), grown.label, { description });
      const report = caseReport(grown.label, grown.findings, grown.phase, vocabulary, labelNames, seed);
      const pair: CohortPair = {
        image,
        label,
        report: report.text,
        tags: report.tags,
        generated: true,
        case: id,
        seed,
        source: from.path,
        phase: grown.phase,
        stomach: grown.stomach.filling,
        findings: grown.findings,
        spacing: grown.acquisition.spacing,
      };
      phases[grown.phase] = (phases[grown.phase] ?? 0) + 1;
      stomachFillings[grown.stomach.filling] = (stomachFillings[grown.stomach.filling] ?? 0) + 1;
      // Appended per case: a long run's manifest grows with its images and holds no list in memory.
      appendFileSync(pairsPath, `${JSON.stringify(pair)}\n`);
      grown = undefined;
      options.onCase?.(index + 1, options.cases, {
        image: join(building, image),
        label: join(building, label),
      });
    }
    const record = {
      version,
      sources: sources.map((s, i) => ({
        path: s.path,
        modality: s.modality,
        phase: s.phase ?? null,
        cases: perSource[i],
        mapping: s.mapping.sources,
        unmapped: s.mapping.unmapped,
      })),
      target: first.mapping.target,
      cases: options.cases,
      seed: options.seed,
      variation: options.variation ?? 1,
      acquisition: options.acquisition ?? {},
      phases,
      stomachFillings,
      split:
        'every case is a training case (ids 0035–0040, BTCV validation, are skipped): all are variants ' +
        'of the source patients, so none may serve as a test patient',
    };
    writeFileAtomic(join(building, 'cohort.json'), `${JSON.stringify(record, null, 2)}\n`);
    if (existsSync(root)) {
      const old = `${building}.old`;
      renameSync(root, old);
      renameSync(building, root);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(building, root);
    return { root, pairs: join(root, 'pairs.jsonl'), cases: options.cases };
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}
