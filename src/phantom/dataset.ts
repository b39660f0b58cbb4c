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
import type { ForcedFindings, PhantomFindings } from './findings.js';
import { generatePhantom } from './generate.js';
import { BTCV_LABEL_NAMES } from './organs.js';
import { Random } from './random.js';
import { expectedTags, reviseReport } from './report-findings.js';

export interface PhantomDatasetOptions {
  cases: number;
  seed: number;
  size?: [number, number, number];
  orientation?: 'RAS' | 'LPS';
  /** Scales the rate of clinical variation (0 = normal anatomy only). */
  variation?: number;
  /** Forced variation for case index i (0-based), e.g. to show a cholecystectomy in a demo. */
  findings?: (index: number) => ForcedFindings | undefined;
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
}

export interface PhantomDataset {
  root: string;
  pairs: string;
  cases: PhantomPair[];
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
    for (let index = 0; index < options.cases; index++) {
      const id = String(index + 1).padStart(4, '0');
      const seed = seeds.nextUint32();
      const phantom = generatePhantom({
        seed,
        size: options.size,
        orientation: options.orientation,
        variation: options.variation,
        findings: options.findings?.(index),
      });
      const image = `img/img${id}.nii.gz`;
      const label = `label/label${id}.nii.gz`;
      const description = `mosmos phantom seed ${seed}`;
      await writeNifti(join(building, image), phantom.image, { description });
      await writeNifti(join(building, label), phantom.label, { description });

      const generated = generateReport(phantom.label, vocabulary, {
        seed,
        labelNames: { ...BTCV_LABEL_NAMES },
      });
      const report = reviseReport(generated.text, phantom.findings, vocabulary);
      const tags: PhantomPair['tags'] = { ...generated.tags };
      for (const [organ, status] of expectedTags(phantom.findings)) tags[organ] = status;
      pairs.push({ image, label, report, tags, generated: true, case: id, seed, findings: phantom.findings });
      options.onCase?.(index + 1, options.cases);
    }
    writeFileAtomic(join(building, 'pairs.jsonl'), pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    if (existsSync(root)) {
      const old = `${building}.old`;
      renameSync(root, old);
      renameSync(building, root);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(building, root);
    return { root, pairs: join(root, 'pairs.jsonl'), cases: pairs };
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}
