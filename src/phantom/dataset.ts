// A synthetic BTCV dataset on disk: `img/imgNNNN.nii.gz`, `label/labelNNNN.nii.gz` and `pairs.jsonl`
// with a generated report per case, so every command that reads BTCV folders and pairs manifests
// works on it unchanged.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { writeNifti } from '../io/nifti/index.js';
import { generateReport } from '../report/generate.js';
import { getVocabulary } from '../report/vocabularies.js';
import { cropToScanRange, type PhantomFieldOfView, scanRangeStream } from './field-of-view.js';
import type { ForcedFindings, PhantomFindings } from './findings.js';
import { generatePhantom } from './generate.js';
import { BTCV_LABEL_NAMES, BTCV_LABELS, PHANTOM_ORGANS, type PhantomOrgan } from './organs.js';
import { Random } from './random.js';
import { expectedTags, reviseReport } from './report-findings.js';
import type { ScanRangeMode } from './scan-range.js';

export interface PhantomDatasetOptions {
  cases: number;
  seed: number;
  size?: [number, number, number];
  orientation?: 'RAS' | 'LPS';
  /** Scales the rate of clinical variation (0 = normal anatomy only). */
  variation?: number;
  /** Forced variation for case index i (0-based), e.g. to show a cholecystectomy in a demo. */
  findings?: (index: number) => ForcedFindings | undefined;
  /**
   * 'full' (default): every case covers the whole generated abdomen. 'vary': each case draws the
   * z-range a scanner covered (chest CT, liver protocol, abdomen–pelvis from mid-liver or from below
   * the liver; `scan-range.ts`), the volumes are cropped to it and the reports say which organs are
   * not included in the field of view, so that organs come and go between cases as in real cohorts.
   */
  scanRange?: ScanRangeMode;
  /** Replace an existing dataset folder. */
  force?: boolean;
  /** Called after each case is written (progress). */
  onCase?: (done: number, total: number) => void;
}

/** One line of `pairs.jsonl`; paths are relative to the folder holding it (the dataset root). */
export interface PhantomPair {
  image: string;
  label: string;
  report: string;
  tags: Record<string, 'present' | 'absent' | 'uncertain' | 'abnormal'>;
  generated: true;
  case: string;
  seed: number;
  findings: PhantomFindings;
  /** With `scanRange: 'vary'`: the range this case's scan covered and what it left out or cut. */
  fieldOfView?: PhantomFieldOfView;
}

export interface PhantomDataset {
  root: string;
  pairs: string;
  cases: PhantomPair[];
  /** Per organ, the cases whose label map lacks it (resected, out of view or only a sliver). */
  absentCases: Record<PhantomOrgan, number>;
}

/**
 * Writes `cases` phantom cases in BTCV layout under `dir`. The folder is built beside `dir` and
 * renamed into place at the end, so a failure leaves nothing half-written; an existing non-empty
 * `dir` is refused unless `force`.
 */
export async function writePhantomDataset(
  dir: string,
  options: PhantomDatasetOptions,
): Promise<PhantomDataset> {
  if (!Number.isInteger(options.cases) || options.cases < 1 || options.cases > 9999) {
    throw fileError(dir, `number of cases must be an integer from 1 to 9999, got ${options.cases}`);
  }
  if (options.scanRange !== undefined && options.scanRange !== 'full' && options.scanRange !== 'vary')
    throw fileError(dir, `scan range must be 'full' or 'vary', got ${JSON.stringify(options.scanRange)}`);
  const root = resolve(dir);
  const occupied = existsSync(root) && readdirSync(root).length > 0;
  if (occupied && !options.force)
    throw fileError(dir, 'output folder exists and is not empty (pass --force to replace it)');
  mkdirSync(dirname(root), { recursive: true });
  const building = join(dirname(root), `.${basename(root)}.${process.pid}.${Date.now()}.tmp`);
  mkdirSync(join(building, 'img'), { recursive: true });
  mkdirSync(join(building, 'label'), { recursive: true });
  try {
    const vocabulary = getVocabulary('btcv');
    const seeds = new Random(options.seed);
    const pairs: PhantomPair[] = [];
    const absentCases = Object.fromEntries(PHANTOM_ORGANS.map((o) => [o, 0])) as Record<PhantomOrgan, number>;
    for (let index = 0; index < options.cases; index++) {
      const id = String(index + 1).padStart(4, '0');
      const seed = seeds.nextUint32();
      const generated = generatePhantom({
        seed,
        size: options.size,
        orientation: options.orientation,
        variation: options.variation,
        findings: options.findings?.(index),
      });
      const { phantom, fieldOfView } =
        options.scanRange === 'vary'
          ? cropToScanRange(generated, scanRangeStream(seed))
          : { phantom: generated, fieldOfView: undefined };
      const image = `img/img${id}.nii.gz`;
      const label = `label/label${id}.nii.gz`;
      const description = `mosmos phantom seed ${seed}`;
      await writeNifti(join(building, image), phantom.image, { description });
      await writeNifti(join(building, label), phantom.label, { description });

      const written = generateReport(phantom.label, vocabulary, {
        seed,
        labelNames: { ...BTCV_LABEL_NAMES },
        ...(fieldOfView && { fieldOfView: { outside: fieldOfView.outside, cut: fieldOfView.cut } }),
      });
      const report = reviseReport(written.text, phantom.findings, vocabulary);
      const tags: PhantomPair['tags'] = { ...written.tags };
      for (const [organ, status] of expectedTags(phantom.findings)) tags[organ] = status;
      const { findings } = phantom;
      const pair = { image, label, report, tags, generated: true as const, case: id, seed, findings };
      pairs.push(fieldOfView ? { ...pair, fieldOfView } : pair);
      countAbsent(absentCases, phantom.label.data);
      options.onCase?.(index + 1, options.cases);
    }
    writeFileAtomic(join(building, 'pairs.jsonl'), pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    if (existsSync(root)) {
      const old = `${building}.old`;
      renameSync(root, old);
      renameSync(building, root);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(building, root);
    return { root, pairs: join(root, 'pairs.jsonl'), cases: pairs, absentCases };
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

/** Adds one case's organs missing from its label map to `counts`. */
function countAbsent(counts: Record<PhantomOrgan, number>, label: Uint8Array): void {
  const seen = new Set(label);
  for (const organ of PHANTOM_ORGANS) if (!seen.has(BTCV_LABELS[organ])) counts[organ]++;
}
