/**
 * The demo story on real anatomy: grow a cohort from one labelled real CT (with generated reports) →
 * report-supervised pre-training → fine-tuning a 2D U-Net → segmenting and evaluating a different real
 * patient. Variants of the training patient are training data only; the test patient is never used
 * in growing, training or choosing anything.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AcquisitionRanges } from '../cohort/acquisition.js';
import type { LabelNames } from '../cohort/label-scheme.js';
import { mapLabelScheme } from '../cohort/label-scheme.js';
import { readSourceScan, type SourceModality } from '../cohort/source-scan.js';
import { writeCohort } from '../cohort/write-cohort.js';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { finetune } from '../train/finetune.js';
import { defaultFinetuneConfig } from '../train/finetune-config.js';
import { pretrain } from '../train/pretrain.js';
import { defaultPretrainConfig } from '../train/pretrain-config.js';
import { version } from '../version.js';
import { evaluateTestPatient, type TestPatient, type TestPatientResult } from './test-patient.js';

/** A labelled real scan to grow training cases from. */
export interface AnatomySource {
  image: string;
  labels: string;
  names: LabelNames;
  /** 'mr': used as its pseudo-CT (default 'ct'). */
  modality?: SourceModality;
}

export interface AnatomyDemoOptions {
  out: string;
  /** The training anatomy: one labelled scan or several (cases alternate between them). */
  anatomy: AnatomySource | AnatomySource[];
  test: TestPatient;
  /** Cases grown from the anatomy CT. */
  cases: number;
  /** An existing cohort folder (grown earlier from the same anatomy) to train on instead of growing one. */
  cohort?: string;
  seed: number;
  /** Finding rate relative to the defaults (the phantom's `variation`). */
  variation?: number;
  acquisition?: Partial<AcquisitionRanges>;
  /** Pre-training epochs; 0 skips pre-training (fine-tuning from random initialisation). */
  pretrainEpochs: number;
  /** Fine-tuning: epochs × steps per epoch, or as many steps as fit in `finetuneMinutes` (planned). */
  finetuneEpochs: number;
  finetuneSteps: number;
  finetuneMinutes?: number;
  batch?: number;
  /** Model grid spacing (mm) and 2D patch size: 3 mm × 80 px sees 24 cm of abdomen at once. */
  spacing: [number, number, number];
  patch: number;
  force?: boolean;
  log?: (line: string) => void;
}

export interface AnatomyDemoSummary {
  version: string;
  cohort: string;
  cases: number;
  pretrained: boolean;
  finetune: { steps: number; plannedSteps: number; msPerStep: number | null; minutes: number; run: string };
  test: TestPatientResult & { image: string; labels: string };
  seconds: number;
}

/** Runs the story into `options.out`; returns what summary.json holds. */
export async function runAnatomyDemo(options: AnatomyDemoOptions): Promise<AnatomyDemoSummary> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = resolve(options.out);
  if (existsSync(out)) {
    if (!options.force) throw fileError(out, 'output folder exists (pass --force to replace it)');
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  const quiet = { log: (line: string) => log(`  ${line}`) };
  const stages = options.pretrainEpochs > 0 ? 4 : 3;
  let stage = 0;
  const step = (text: string) => log(`[${++stage}/${stages}] ${text}`);

  let dataDir: string;
  let pairs: string;
  let cases = options.cases;
  if (options.cohort) {
    step(`using the cohort in ${options.cohort}`);
    dataDir = resolve(options.cohort);
    pairs = join(dataDir, 'pairs.jsonl');
    if (!existsSync(pairs)) throw fileError(dataDir, 'not a cohort folder (no pairs.jsonl)');
    cases = readFileSync(pairs, 'utf8').split('\n').filter(Boolean).length;
  } else {
    const anatomy = Array.isArray(options.anatomy) ? options.anatomy : [options.anatomy];
    step(`growing ${options.cases} cases from ${anatomy.map((a) => a.image).join(' and ')}`);
    const sources = [];
    for (const a of anatomy)
      sources.push(
        await readSourceScan(a.image, a.labels, a.names, mapLabelScheme(a.names, 'btcv'), a.modality),
      );
    dataDir = join(out, 'cohort');
    const cohort = await writeCohort(dataDir, sources, {
      cases: options.cases,
      seed: options.seed,
      variation: options.variation,
      acquisition: options.acquisition,
      onCase: (done, total) => {
        if (done % 5 === 0 || done === total) log(`  ${done}/${total} cases`);
      },
    });
    pairs = cohort.pairs;
  }

  const preprocess = { ...defaultPretrainConfig.preprocess, spacing: options.spacing };
  const runs = join(out, 'runs');
  let pretrained: string | undefined;
  if (options.pretrainEpochs > 0) {
    step('pre-training on the cohort’s image–report pairs (contrastive + multi-label recognition)');
    pretrained = join(runs, 'pretrain');
    await pretrain(
      {
        ...defaultPretrainConfig,
        pairs,
        out: pretrained,
        epochs: options.pretrainEpochs,
        tags: 'btcv',
        lambda: 1,
        patch: [options.patch, options.patch],
        preprocess,
        seed: options.seed,
        worker: false,
      },
      quiet,
    );
  }

  step(`fine-tuning a 2D U-Net on the cohort${pretrained ? ' from the pre-trained encoder' : ''}`);
  const runDir = join(runs, 'finetune');
  const trainStart = Date.now();
  const result = await finetune(
    {
      ...defaultFinetuneConfig,
      data: dataDir,
      format: 'btcv',
      out: runDir,
      arch: 'unet2d',
      pretrained,
      attentionMaps: pretrained !== undefined,
      epochs: options.finetuneEpochs,
      stepsPerEpoch: options.finetuneSteps,
      batch: options.batch ?? defaultFinetuneConfig.batch,
      patch: [options.patch, options.patch],
      preprocess,
      valEvery: options.finetuneEpochs,
      // The budget plans the number of steps from the measured step time (the schedule ends on time).
      timeBudget: options.finetuneMinutes ?? 0,
      seed: options.seed,
    },
    quiet,
  );
  const minutes = (Date.now() - trainStart) / 60_000;

  step(`segmenting and evaluating the test patient ${options.test.image}`);
  const testDir = join(out, 'test');
  mkdirSync(testDir, { recursive: true });
  const test = await evaluateTestPatient(options.test, runDir, testDir);
  const summary: AnatomyDemoSummary = {
    version,
    cohort: dataDir,
    cases,
    pretrained: pretrained !== undefined,
    finetune: {
      steps: result.steps,
      plannedSteps: result.plannedSteps,
      msPerStep: result.msPerStep,
      minutes,
      run: runDir,
    },
    test: { ...test, image: options.test.image, labels: options.test.labels },
    seconds: (Date.now() - started) / 1000,
  };
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`, { force: true });
  return summary;
}
