/**
 * The embedded default, end to end: a synthetic abdomen with generated reports → report-supervised
 * pre-training (contrastive only, and contrastive + multi-label recognition) → fine-tuning a 2D U-Net
 * at a small label fraction from each initialisation (with and without pixel-tag attention maps) →
 * segmentation of the held-out cases → evaluation → summary.json and a self-contained report.html.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDataset } from '../data/dataset.js';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { segmentFile } from '../infer/segment-file.js';
import { evaluateCaseFiles } from '../metrics/evaluate-files.js';
import { summarizeEvaluations } from '../metrics/summary.js';
import { writePhantomDataset } from '../phantom/dataset.js';
import { BTCV_LABEL_NAMES } from '../phantom/index.js';
import type { AblationRow } from '../render/results-page.js';
import { finetune } from '../train/finetune.js';
import { defaultFinetuneConfig } from '../train/finetune-config.js';
import { finetuneSplits } from '../train/finetune-data.js';
import { pretrain } from '../train/pretrain.js';
import { defaultPretrainConfig } from '../train/pretrain-config.js';
import { version } from '../version.js';
import type { DemoPlan } from './demo-plan.js';
import { writeDemoReport } from './demo-report.js';

export interface DemoOptions {
  out: string;
  plan: DemoPlan;
  /** Replace an existing output folder. */
  force?: boolean;
  log?: (line: string) => void;
}

/** One fine-tuning setting of the ablation. */
export interface DemoSetting {
  key: string;
  init: AblationRow['init'];
  attentionMaps: boolean;
}

export interface DemoSummary {
  version: string;
  plan: DemoPlan;
  ablation: (AblationRow & { run: string })[];
  pretraining: Record<string, unknown>[];
  validationCases: string[];
  seconds: number;
}

/** The ablation, in the order the table shows it. */
export function demoSettings(full: boolean): DemoSetting[] {
  const settings: DemoSetting[] = [
    { key: 'scratch', init: 'scratch', attentionMaps: false },
    { key: 'contrastive', init: 'contrastive', attentionMaps: false },
  ];
  if (full) settings.push({ key: 'mosmos-noattn', init: 'mosmos', attentionMaps: false });
  settings.push({ key: 'mosmos', init: 'mosmos', attentionMaps: true });
  return settings;
}

/** Runs the demo into `options.out`; returns what summary.json holds. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = resolve(options.out);
  const plan = options.plan;
  if (existsSync(out)) {
    if (!options.force) throw fileError(out, 'output folder exists (pass --force to replace it)');
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  const quiet = { log: (line: string) => log(`  ${line}`) };

  log(`[1/5] writing ${plan.cases} synthetic abdominal CTs with generated reports`);
  const dataDir = join(out, 'data');
  await writePhantomDataset(dataDir, {
    cases: plan.cases,
    seed: plan.seed,
    size: plan.size,
    variation: plan.variation,
  });
  const dataset = openDataset(dataDir, 'btcv');
  const { splits } = finetuneSplits(dataset, plan.labelFraction, plan.seed);
  const held = new Set(splits.validation);

  // Reports are available for every training case, labelled or not; the held-out cases are never
  // seen by pre-training or fine-tuning.
  const pairsPath = join(dataDir, 'pretrain-pairs.jsonl');
  const lines = readFileSync(join(dataDir, 'pairs.jsonl'), 'utf8').split('\n').filter(Boolean);
  const trainLines = lines.filter((line) => !held.has((JSON.parse(line) as { case: string }).case));
  writeFileSync(pairsPath, `${trainLines.join('\n')}\n`);

  const runs = join(out, 'runs');
  const pretrainRuns: Record<'contrastive' | 'mosmos', string> = {
    contrastive: join(runs, 'pretrain-contrastive'),
    mosmos: join(runs, 'pretrain-mosmos'),
  };
  const pretraining: Record<string, unknown>[] = [];
  for (const [step, [name, lambda]] of (
    [
      ['contrastive', 0],
      ['mosmos', 1],
    ] as const
  ).entries()) {
    log(
      `[2/5] pre-training (${name === 'mosmos' ? 'contrastive + multi-label recognition' : 'contrastive only'}) ${step + 1}/2`,
    );
    const result = await pretrain(
      {
        ...defaultPretrainConfig,
        pairs: pairsPath,
        out: pretrainRuns[name],
        epochs: plan.pretrainEpochs,
        tags: 'btcv',
        lambda,
        patch: [plan.sliceSize, plan.sliceSize],
        // Whole-volume bags: a 16 mm stride misses no organ the phantom's reports name (bench/pretrain-bags.ts)
        // and halves the bag at the quick plan's 8 mm slices.
        bagStrideMm: 16,
        preprocess: { ...defaultPretrainConfig.preprocess, spacing: plan.spacing },
        seed: plan.seed,
        worker: false,
      },
      quiet,
    );
    const last = result.validation.at(-1)?.metrics;
    pretraining.push({ name, lambda, steps: result.steps, validation: last ?? null });
  }

  const settings = demoSettings(plan.cases >= 30);
  const ablation: DemoSummary['ablation'] = [];
  const validationCases = dataset.cases.filter((c) => held.has(c.id));
  for (const [n, setting] of settings.entries()) {
    log(
      `[3/5] fine-tuning 2D U-Net ${n + 1}/${settings.length}: ${setting.key} (${(plan.labelFraction * 100).toFixed(0)} % of labels)`,
    );
    const runDir = join(runs, `finetune-${setting.key}`);
    await finetune(
      {
        ...defaultFinetuneConfig,
        data: dataDir,
        format: 'btcv',
        out: runDir,
        arch: 'unet2d',
        pretrained: setting.init === 'scratch' ? undefined : pretrainRuns[setting.init],
        attentionMaps: setting.attentionMaps,
        labelFraction: plan.labelFraction,
        epochs: plan.finetuneEpochs,
        stepsPerEpoch: plan.finetuneSteps,
        patch: [plan.sliceSize, plan.sliceSize],
        preprocess: { ...defaultPretrainConfig.preprocess, spacing: plan.spacing },
        valEvery: plan.finetuneEpochs,
        seed: plan.seed,
      },
      quiet,
    );

    log(`[4/5] segmenting and evaluating ${validationCases.length} held-out cases (${setting.key})`);
    const predDir = join(out, 'predictions', setting.key);
    mkdirSync(predDir, { recursive: true });
    const pairs = [];
    for (const item of validationCases) {
      const pred = join(predDir, `pred${item.id}.nii.gz`);
      await segmentFile(item.images[0]!, runDir, pred, { force: true });
      pairs.push({ case: item.id, pred, gt: item.label! });
    }
    const evaluations = await evaluateCaseFiles(pairs, {
      labels: Object.keys(BTCV_LABEL_NAMES)
        .map(Number)
        .filter((v) => v > 0),
      labelNames: BTCV_LABEL_NAMES,
    });
    const dice: Record<string, number> = {};
    for (const organ of summarizeEvaluations(evaluations)) {
      if (Number.isFinite(organ.dice.mean)) dice[organ.name] = organ.dice.mean;
    }
    const values = Object.values(dice);
    const meanDice = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    ablation.push({
      init: setting.init,
      attentionMaps: setting.attentionMaps,
      labelFraction: plan.labelFraction,
      meanDice,
      dice,
      run: runDir,
    });
    log(`  mean Dice ${meanDice.toFixed(3)}`);
  }

  const summary: DemoSummary = {
    version,
    plan,
    ablation,
    pretraining,
    validationCases: validationCases.map((c) => c.id),
    seconds: 0,
  };
  log('[5/5] writing report.html, figures and summary.json');
  await writeDemoReport(out, summary, { dataset, pretrainRun: pretrainRuns.mosmos, settings });
  summary.seconds = (Date.now() - started) / 1000;
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`, { force: true });
  return summary;
}
