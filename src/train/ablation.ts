/**
 * The fine-tuning ablation of DESIGN.md §1 on the synthetic phantom, end to end: phantom dataset with
 * generated reports → pre-training (MOSMOS: InfoNCE + MLR; optionally contrastive only) → fine-tuning
 * at a label fraction from random init and from the pre-trained encoders, attention maps on/off →
 * best validation Dice per variant. The `demo` command and the closing note's evidence call this.
 * @example const rows = await runAblation({ ...defaultAblationConfig, workDir: 'ablation' });
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writePhantomDataset } from '../phantom/index.js';
import { type FinetuneRuntime, finetune } from './finetune.js';
import { defaultFinetuneConfig } from './finetune-config.js';
import { pretrain } from './pretrain.js';
import { defaultPretrainConfig } from './pretrain-config.js';

export type AblationVariant = 'scratch' | 'scratch+maps' | 'contrastive' | 'mosmos' | 'mosmos+maps';

export interface AblationConfig {
  workDir: string;
  cases: number;
  seed: number;
  labelFraction: number;
  variants: AblationVariant[];
  pretrainEpochs: number;
  finetuneEpochs: number;
  stepsPerEpoch: number;
  widths: number[];
  spacing: [number, number, number];
  patch: [number, number];
  /** Fine-tuning learning rate. */
  lr: number;
  force: boolean;
  /** Reuse an existing phantom folder and pre-training runs in workDir (re-running fine-tuning only). */
  reuse: boolean;
}

export const defaultAblationConfig: Omit<AblationConfig, 'workDir'> = {
  cases: 30,
  seed: 0,
  labelFraction: 0.1,
  variants: ['scratch', 'mosmos', 'mosmos+maps'],
  pretrainEpochs: 10,
  finetuneEpochs: 4,
  stepsPerEpoch: 25,
  widths: [8, 16, 32],
  spacing: [4, 4, 5],
  patch: [48, 48],
  lr: 3e-3,
  force: true,
  reuse: false,
};

export interface AblationRow {
  variant: AblationVariant;
  pretraining: 'none' | 'contrastive' | 'contrastive+mlr';
  attentionMaps: boolean;
  labelFraction: number;
  trainCases: number;
  meanDice: number;
  perOrgan: Record<string, number>;
  seconds: number;
}

export async function runAblation(
  config: AblationConfig,
  runtime: FinetuneRuntime = {},
): Promise<AblationRow[]> {
  const log = runtime.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const phantomDir = join(config.workDir, 'phantom');
  const reusable = (dir: string, file: string) => config.reuse && existsSync(join(dir, file));
  const phantom = reusable(phantomDir, 'pairs.jsonl')
    ? { root: resolve(phantomDir), pairs: resolve(phantomDir, 'pairs.jsonl') }
    : await writePhantomDataset(phantomDir, { cases: config.cases, seed: config.seed, force: config.force });
  const preprocess = { spacing: config.spacing, intensity: { kind: 'ct' as const, min: -175, max: 250 } };
  const pretrained = new Map<string, string>();
  const needs = (kind: 'contrastive' | 'mosmos') =>
    config.variants.some((v) => (kind === 'contrastive' ? v === 'contrastive' : v.startsWith('mosmos')));
  for (const kind of ['mosmos', 'contrastive'] as const) {
    if (!needs(kind)) continue;
    const out = join(config.workDir, `pretrain-${kind}`);
    pretrained.set(kind, out);
    if (reusable(out, 'checkpoint.json')) continue;
    log(`pre-training (${kind === 'mosmos' ? 'InfoNCE + MLR' : 'InfoNCE only'}) → ${out}`);
    await pretrain(
      {
        ...defaultPretrainConfig,
        pairs: phantom.pairs,
        out,
        arch: 'unet2d',
        tags: 'btcv',
        epochs: config.pretrainEpochs,
        batch: 4,
        widths: config.widths,
        patch: [96, 96],
        preprocess,
        lambda: kind === 'mosmos' ? 1 : 0,
        seed: config.seed,
        worker: false,
        force: config.force,
      },
      { log, progressStream: runtime.progressStream },
    );
  }
  const rows: AblationRow[] = [];
  for (const variant of config.variants) {
    const from =
      variant === 'contrastive'
        ? pretrained.get('contrastive')
        : variant.startsWith('mosmos')
          ? pretrained.get('mosmos')
          : undefined;
    const maps = variant.endsWith('+maps');
    const started = performance.now();
    log(`fine-tuning ${variant} at label fraction ${config.labelFraction}`);
    const result = await finetune(
      {
        ...defaultFinetuneConfig,
        data: phantom.root,
        format: 'btcv',
        out: join(config.workDir, `finetune-${variant}`),
        arch: 'unet2d',
        pretrained: from,
        attentionMaps: maps,
        labelFraction: config.labelFraction,
        epochs: config.finetuneEpochs,
        stepsPerEpoch: config.stepsPerEpoch,
        valEvery: config.finetuneEpochs,
        widths: config.widths,
        patch: config.patch,
        preprocess,
        seed: config.seed,
        lr: config.lr,
        force: config.force,
      },
      runtime,
    );
    const last = result.validation[result.validation.length - 1];
    rows.push({
      variant,
      pretraining: variant === 'contrastive' ? 'contrastive' : from ? 'contrastive+mlr' : 'none',
      attentionMaps: maps,
      labelFraction: config.labelFraction,
      trainCases: result.splits.train.length,
      meanDice: result.bestDice ?? Number.NaN,
      perOrgan: last?.perOrgan ?? {},
      seconds: (performance.now() - started) / 1000,
    });
  }
  return rows;
}
