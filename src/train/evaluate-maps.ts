/**
 * `mosmos pretrain --evaluate-maps`: the pixel-tag attention maps of a pre-training run judged on
 * their own, before any fine-tuning — pointing game and organ-vs-body AUROC per organ on labelled
 * volumes the run did not pre-train on, for every encoder stage (finest first).
 * @example await evaluateMaps('runs/pre', 'data/btcv')
 */
import { resolve } from 'node:path';
import { type DatasetFormat, openDataset } from '../data/dataset.js';
import { readPairs } from '../data/pairs.js';
import { InputError } from '../errors.js';
import {
  type MapCaseScore,
  type MapScoreSummary,
  organAuroc,
  pointingHit,
  summarizeMapScores,
} from '../metrics/attention-maps.js';
import { getVocabulary } from '../report/vocabularies.js';
import { loadWeights } from './checkpoint.js';
import { attentionOnPreparedGrid } from './export-attention.js';
import { loadLabelledCase } from './finetune-data.js';
import { buildPretrainModel, type PretrainRuntime } from './pretrain.js';
import { bodyMask } from './pretrain-bag.js';
import type { PretrainConfig } from './pretrain-config.js';
import { tokenBatch } from './pretrain-data.js';
import { readRunInfo } from './run-record.js';

export interface MapEvaluation {
  run: string;
  /** Case ids judged (labelled, not in the run's pre-training pairs unless `cases` named them). */
  cases: string[];
  /** One summary per encoder stage, finest first. */
  stages: (MapScoreSummary & { stage: number })[];
}

const normalName = (name: string) => name.toLowerCase().replace(/[_-]+/g, ' ').trim();

/** Judges a run's maps on a labelled dataset folder. */
export async function evaluateMaps(
  runDir: string,
  dataDir: string,
  options: { format?: DatasetFormat; cases?: string[]; log?: (line: string) => void } & PretrainRuntime = {},
): Promise<MapEvaluation> {
  const info = readRunInfo(runDir);
  if (info.command !== 'pretrain') throw new InputError(`${runDir}: not a pre-training run`);
  const config = info.config as unknown as PretrainConfig;
  const vocabulary = getVocabulary(config.tags);
  const tagNames = vocabulary.tags.map((t) => t.name);
  const dataset = openDataset(dataDir, options.format);
  // Held out = labelled cases whose image the run never saw in its pairs manifest.
  let seen = new Set<string>();
  try {
    seen = new Set(readPairs(config.pairs, { skipBad: true }).pairs.map((p) => resolve(p.image)));
  } catch {
    // The manifest moved or is gone: every labelled case counts as held out.
  }
  const labelled = dataset.cases.filter((c) => c.label !== undefined);
  const chosen = options.cases
    ? labelled.filter((c) => options.cases!.includes(c.id))
    : labelled.filter((c) => !seen.has(resolve(c.images[0]!)));
  if (chosen.length === 0)
    throw new InputError(
      `${dataDir}: no labelled case outside the run's pre-training pairs to judge the maps on`,
    );
  const organs = Object.entries(dataset.labels)
    .map(([value, name]) => ({ value: Number(value), tag: tagNames.indexOf(normalName(name)), name }))
    .filter((o) => o.value > 0 && o.tag >= 0);
  if (organs.length === 0)
    throw new InputError(`${dataDir}: none of the dataset's labels is a tag of the run's vocabulary`);
  const classes = Math.max(...Object.keys(dataset.labels).map(Number)) + 1;

  const { model, tokenizer } = await buildPretrainModel(config, runDir, null, tagNames, options);
  await loadWeights(runDir, model);
  const prompts = tokenBatch(
    tokenizer,
    vocabulary.tags.map((t) => t.prompt),
    Math.min(16, config.maxTokens),
  );
  const stageCount = model.config.arch === 'unet2d' ? (config.widths?.length ?? 1) : 1;
  const scores: MapCaseScore[][] = Array.from({ length: stageCount }, () => []);
  for (const item of chosen) {
    const volume = await loadLabelledCase(dataset, item, config.preprocess, classes);
    const prepared = { data: volume.image, dims: volume.dims, spacing: config.preprocess.spacing };
    const body = bodyMask(volume.image);
    for (let stage = 0; stage < stageCount; stage++) {
      const maps = attentionOnPreparedGrid(model, prepared, () => model.tagQueries(prompts), config, stage);
      for (const organ of organs) {
        if (!volume.label.includes(organ.value)) continue;
        const map = maps[organ.tag]!;
        scores[stage]!.push({
          case: item.id,
          organ: organ.name,
          hit: pointingHit(map, volume.label, organ.value, body),
          auroc: organAuroc(map, volume.label, organ.value, body),
        });
      }
    }
    options.log?.(`maps judged on case ${item.id}`);
  }
  return {
    run: runDir,
    cases: chosen.map((c) => c.id),
    stages: scores.map((s, stage) => ({ stage, ...summarizeMapScores(s) })),
  };
}

/** A plain-text table: per organ and stage, pointing hit rate and AUROC; means over organs. */
export function formatMapEvaluation(e: MapEvaluation): string {
  const lines = [`attention maps of ${e.run} on ${e.cases.length} held-out case(s): ${e.cases.join(', ')}`];
  for (const s of e.stages) {
    lines.push(
      `stage ${s.stage}: pointing ${s.pointing.toFixed(3)}  AUROC ${s.auroc.toFixed(3)}  (means over ${s.perOrgan.length} organs)`,
    );
    for (const o of s.perOrgan)
      lines.push(
        `  ${o.organ.padEnd(26)} pointing ${o.pointing.toFixed(2)}  AUROC ${o.auroc.toFixed(3)}  (${o.cases} cases)`,
      );
  }
  return lines.join('\n');
}
