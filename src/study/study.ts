/**
 * `mosmos study`: the seeded label-efficiency study of DESIGN.md §1 as one command. Settings
 * scratch / contrastive / contrastive+mlr / mosmos+maps / scratch+random-maps × labelled cases ×
 * seeds. One evaluation split is fixed for the whole study; the pre-training pool is every pair whose
 * case is not evaluated; each pre-training setting is pre-trained once per seed and reused for every
 * labelled-case count. Every cell is a run folder with a `result.json`; finished cells are skipped,
 * unfinished ones resumed, so the command continues where it stopped.
 * @example await runStudy({ data: 'phantom', pairs: 'phantom/pairs.jsonl', out: 'study', labelled: [1, 2], seeds: 3 })
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDataset } from '../data/dataset.js';
import { readPairs } from '../data/pairs.js';
import { splitDataset } from '../data/splits.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { evaluateMaps } from '../train/evaluate-maps.js';
import { finetune } from '../train/finetune.js';
import { defaultFinetuneConfig } from '../train/finetune-config.js';
import { pretrain } from '../train/pretrain.js';
import { defaultPretrainConfig } from '../train/pretrain-config.js';
import { mean, pairedDifference, sampleSd } from './paired-statistics.js';
import { writeStudyReport } from './study-report.js';

export const studySettings = [
  'scratch',
  'contrastive',
  'contrastive+mlr',
  'mosmos+maps',
  'scratch+random-maps',
] as const;
export type StudySetting = (typeof studySettings)[number];

/** What each setting pre-trains (λ, μ; none for scratch) and whether fine-tuning adds the maps. */
const recipe: Record<
  StudySetting,
  { pretrain: { lambda: number; mapLambda: number } | null; maps: boolean }
> = {
  scratch: { pretrain: null, maps: false },
  contrastive: { pretrain: { lambda: 0, mapLambda: 0 }, maps: false },
  'contrastive+mlr': { pretrain: { lambda: 1, mapLambda: 0 }, maps: false },
  'mosmos+maps': { pretrain: { lambda: 1, mapLambda: 1 }, maps: true },
  'scratch+random-maps': { pretrain: null, maps: true },
};

export interface StudyOptions {
  data: string;
  pairs: string;
  out: string;
  /** Labelled-case counts; 'all' = every labelled training case. */
  labelled: (number | 'all')[];
  seeds: number;
  settings?: StudySetting[];
  /** Model grid (both stages): spacing in mm and 2D patch. */
  spacing?: [number, number, number];
  patch?: [number, number];
  widths?: number[];
  pretrainEpochs?: number;
  pretrainBatch?: number;
  bagStrideMm?: number;
  /** Fine-tuning optimizer steps per cell (one validation at the end). */
  finetuneSteps?: number;
  finetuneBatch?: number;
  /** Seed of the one evaluation split. */
  splitSeed?: number;
  log?: (line: string) => void;
}

export interface StudyRow {
  setting: StudySetting;
  labelledCases: number | 'all';
  seeds: number[];
  dice: number[];
  mean: number;
  sd: number;
  vsScratch: { mean: number; ci95: [number, number] } | null;
  vsRandomMaps: { mean: number; ci95: [number, number] } | null;
}

export interface StudyResult {
  rows: StudyRow[];
  /** Attention maps of each mosmos+maps pre-training (per seed), judged before fine-tuning. */
  maps: { seed: number; pointing: number; auroc: number }[];
  evaluationCases: string[];
  poolSize: number;
}

const done = (dir: string) => existsSync(join(dir, 'result.json'));
const readResult = (dir: string) => JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));

/** Pairs of non-evaluation cases, written as the study's pre-training manifest. */
function writePool(pairsPath: string, evaluationImages: Set<string>, out: string): number {
  const { pairs } = readPairs(pairsPath, { skipBad: true });
  const kept = pairs.filter((p) => !evaluationImages.has(resolve(p.image)));
  writeFileSync(
    out,
    `${kept.map((p) => JSON.stringify({ image: resolve(p.image), report: p.report, ...(p.tags ? { tags: p.tags } : {}) })).join('\n')}\n`,
  );
  return kept.length;
}

/** Summary rows: mean ± sd and paired differences against scratch and scratch + random maps. */
export function studyRows(
  cells: { setting: StudySetting; labelledCases: number | 'all'; seed: number; dice: number }[],
): StudyRow[] {
  const rows: StudyRow[] = [];
  const key = (s: string, l: number | 'all') => `${s}|${l}`;
  const groups = new Map<string, typeof cells>();
  for (const c of cells)
    groups.set(key(c.setting, c.labelledCases), [...(groups.get(key(c.setting, c.labelledCases)) ?? []), c]);
  const versus = (mine: typeof cells, other: typeof cells | undefined) => {
    if (!other) return null;
    const seeds = mine.map((c) => c.seed).filter((s) => other.some((o) => o.seed === s));
    if (seeds.length === 0) return null;
    const a = seeds.map((s) => mine.find((c) => c.seed === s)!.dice);
    const b = seeds.map((s) => other.find((c) => c.seed === s)!.dice);
    const d = pairedDifference(a, b);
    return { mean: d.mean, ci95: d.ci95 };
  };
  for (const [k, group] of groups) {
    const [setting, labelled] = k.split('|') as [StudySetting, string];
    const labelledCases = labelled === 'all' ? 'all' : Number(labelled);
    const sorted = [...group].sort((a, b) => a.seed - b.seed);
    const dice = sorted.map((c) => c.dice);
    rows.push({
      setting,
      labelledCases,
      seeds: sorted.map((c) => c.seed),
      dice,
      mean: mean(dice),
      sd: sampleSd(dice),
      vsScratch: setting === 'scratch' ? null : versus(sorted, groups.get(key('scratch', labelledCases))),
      vsRandomMaps:
        setting === 'scratch+random-maps'
          ? null
          : versus(sorted, groups.get(key('scratch+random-maps', labelledCases))),
    });
  }
  const order = (r: StudyRow) => [
    r.labelledCases === 'all' ? 1e9 : r.labelledCases,
    studySettings.indexOf(r.setting),
  ];
  return rows.sort((a, b) => order(a)[0]! - order(b)[0]! || order(a)[1]! - order(b)[1]!);
}

/** Runs (or continues) the study; writes study.json and report.html into `out`. */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quiet = { log: (line: string) => log(`    ${line}`), progressStream: { write: () => true } };
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const settings = options.settings ?? [...studySettings];
  const seeds = Array.from({ length: options.seeds }, (_, i) => i);
  const spacing =
    options.spacing ?? defaultFinetuneConfig.preprocess?.spacing ?? defaultPretrainConfig.preprocess.spacing;
  const patch = options.patch ?? [defaultFinetuneConfig.patch[0], defaultFinetuneConfig.patch[1]];
  const preprocess = { ...defaultPretrainConfig.preprocess, spacing };
  const widths = options.widths ?? defaultFinetuneConfig.widths;
  const splitSeed = options.splitSeed ?? 0;

  const dataset = openDataset(options.data);
  const split = splitDataset(dataset, { seed: splitSeed });
  if (split.validation.length === 0)
    throw new InputError(`${options.data}: too few labelled cases to hold any out`);
  const evaluationImages = new Set(split.validation.map((c) => resolve(c.images[0]!)));
  const poolPath = join(out, 'pretrain-pool.jsonl');
  const poolSize = writePool(options.pairs, evaluationImages, poolPath);
  const maxLabelled = Math.max(...options.labelled.map((l) => (l === 'all' ? 0 : l)));
  log(
    `study: ${split.validation.length} evaluation cases (${split.validation.map((c) => c.id).join(', ')}), ` +
      `${split.train.length} labelled training cases, pre-training pool ${poolSize} reports` +
      (maxLabelled > 0 ? ` (${(poolSize / maxLabelled).toFixed(1)}× the largest labelled count)` : ''),
  );

  // Pre-training: once per setting and seed.
  const pretrained = new Map<string, string>();
  for (const setting of settings) {
    const p = recipe[setting].pretrain;
    if (!p) continue;
    for (const seed of seeds) {
      const dir = join(out, 'pretrain', setting.replace('+', '-'), `seed${seed}`);
      pretrained.set(`${setting}|${seed}`, dir);
      if (done(dir)) continue;
      log(`pre-training ${setting}, seed ${seed}`);
      const resume = existsSync(join(dir, 'checkpoint.json'));
      const result = await pretrain(
        {
          ...defaultPretrainConfig,
          pairs: poolPath,
          out: dir,
          arch: 'unet2d',
          tags: 'btcv',
          epochs: options.pretrainEpochs ?? 10,
          batch: options.pretrainBatch ?? 8,
          widths,
          patch,
          preprocess,
          bagStrideMm: options.bagStrideMm ?? defaultPretrainConfig.bagStrideMm,
          lambda: p.lambda,
          mapLambda: p.mapLambda,
          seed,
          worker: false,
          resume,
          force: !resume,
        },
        quiet,
      );
      if (!result.interrupted)
        writeFileAtomic(join(dir, 'result.json'), `${JSON.stringify({ steps: result.steps })}\n`, {
          force: true,
        });
    }
  }

  const maps: StudyResult['maps'] = [];
  if (settings.includes('mosmos+maps'))
    for (const seed of seeds) {
      const dir = pretrained.get(`mosmos+maps|${seed}`)!;
      const file = join(dir, 'maps.json');
      if (!existsSync(file)) {
        const e = await evaluateMaps(dir, options.data, { cases: split.validation.map((c) => c.id) });
        writeFileAtomic(file, `${JSON.stringify(e, null, 2)}\n`, { force: true });
      }
      const e = JSON.parse(readFileSync(file, 'utf8')) as Awaited<ReturnType<typeof evaluateMaps>>;
      // The finest stage is the one the last decoder stage (full resolution) sees.
      maps.push({ seed, pointing: e.stages[0]!.pointing, auroc: e.stages[0]!.auroc });
      log(
        `maps of mosmos+maps seed ${seed}: ${e.stages.map((s) => `stage ${s.stage} pointing ${s.pointing.toFixed(2)} AUROC ${s.auroc.toFixed(3)}`).join('; ')}`,
      );
    }

  // Fine-tuning cells.
  const cells: { setting: StudySetting; labelledCases: number | 'all'; seed: number; dice: number }[] = [];
  const steps = options.finetuneSteps ?? 200;
  for (const labelled of options.labelled)
    for (const seed of seeds)
      for (const setting of settings) {
        const dir = join(out, 'cells', setting.replace('+', '-'), `labelled-${labelled}`, `seed${seed}`);
        if (!done(dir)) {
          log(`fine-tuning ${setting}, ${labelled} labelled case(s), seed ${seed}`);
          const resume = existsSync(join(dir, 'checkpoint.json'));
          const stepsPerEpoch = Math.min(steps, 50);
          const result = await finetune(
            {
              ...defaultFinetuneConfig,
              data: options.data,
              out: dir,
              arch: 'unet2d',
              pretrained: recipe[setting].pretrain ? pretrained.get(`${setting}|${seed}`) : undefined,
              attentionMaps: recipe[setting].maps,
              freezeTags: true,
              tags: 'btcv',
              labelFraction: 1,
              labelledCases: labelled === 'all' ? 0 : labelled,
              splitSeed,
              seed,
              epochs: Math.max(1, Math.round(steps / stepsPerEpoch)),
              stepsPerEpoch,
              valEvery: 1000000,
              batch: options.finetuneBatch ?? defaultFinetuneConfig.batch,
              patch,
              widths,
              preprocess,
              resume,
              force: !resume,
            },
            quiet,
          );
          const last = result.validation.at(-1);
          if (!result.interrupted && last)
            writeFileAtomic(
              join(dir, 'result.json'),
              `${JSON.stringify({ dice: last.meanDice, perOrgan: last.perOrgan })}\n`,
              {
                force: true,
              },
            );
        }
        if (done(dir)) {
          const r = readResult(dir) as { dice: number };
          cells.push({ setting, labelledCases: labelled, seed, dice: r.dice });
          log(`  ${setting} ${labelled} seed ${seed}: mean Dice ${r.dice.toFixed(3)}`);
        }
      }

  const result: StudyResult = {
    rows: studyRows(cells),
    maps,
    evaluationCases: split.validation.map((c) => c.id),
    poolSize,
  };
  writeFileAtomic(join(out, 'study.json'), `${JSON.stringify(result, null, 2)}\n`, { force: true });
  await writeStudyReport(out, result, {
    dataset,
    mapsRun: pretrained.get('mosmos+maps|0'),
    trainCases: split.train.length,
  });
  return result;
}
