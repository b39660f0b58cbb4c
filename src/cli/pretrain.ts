import type { IntensitySetting } from '../data/preprocess.js';
import { InputError } from '../errors.js';
import { optionFlag, optionNumber, optionString, type ParsedArgs, parseArgs } from './args.js';
import { applyEngineOptions, engineOptionsUsage } from './engine-options.js';

const usage = `usage: mosmos pretrain --pairs pairs.jsonl --arch unet2d|unetr --out <run> [options]
       mosmos pretrain --export-attention <volume> --model <run> --out <dir> [--force]
       mosmos pretrain --evaluate-maps --model <run> --data <labelled dataset> [--format btcv] [--cases 0035,0036] [--json]
         judges the run's attention maps before any fine-tuning: pointing game and organ AUROC per
         organ and encoder stage, on labelled cases outside the run's pairs (or those named)

training options:
  --epochs N (20)  --batch N volumes (8)  --lr X (1e-3)  --weight-decay X (0.01)  --seed N (0)
  --tags btcv|amos|mmwhs|brats|abdomen (abdomen)   --text-encoder builtin|<local BERT folder>
  --lambda X  weight of the organ-tag loss (1)      --loss asl|bce (asl)
  --always-imaged "liver,spleen,…"  organs taken as present when a report is silent
  --widths tiny|small|paper|16,32,64,128 (small)    --vit tiny|small|base (tiny)
  --patch x,y in-plane patch in voxels, as fine-tuning (64,64)
  --bag-stride mm  axial stride of each volume's bag (10; every organ longer than this is in the bag)
  --map-lambda X  weight of the attention maps' own loss (1)   --embed-dim N (64)
  --max-tokens N per chunk (256; longer reports are encoded in sentence chunks, never cut silently)
  --text-lr-scale X  LR multiplier of a loaded BERT (0 = frozen, default)
  --spacing x,y,z mm (1.5,1.5,3)  --intensity ct|zscore|auto (ct)  --window min,max HU (-175,250)
  --val-fraction X (0.2)  --no-augment  --no-worker  --max-steps N
  --resume  continue the run in --out exactly     --skip-bad  skip and count bad pairs lines
  --plan plans.json  spacing, normalisation, widths and slice size from mosmos plan (default: plan the
            dataset folder holding --pairs when it is one, as finetune does); --no-plan: the defaults
  --force   replace an existing run
  ${engineOptionsUsage}`;

function numberList(args: ParsedArgs, name: string, count: number): number[] | undefined {
  const value = optionString(args, name);
  if (value === undefined) return undefined;
  const parts = value.split(',').map(Number);
  if (parts.length !== count || parts.some((p) => !Number.isFinite(p)))
    throw new InputError(`option --${name}: expected ${count} comma-separated numbers, got "${value}"`);
  return parts;
}

/** `mosmos pretrain`: report-supervised pre-training, or export of a run's attention maps. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [
    'resume',
    'skip-bad',
    'force',
    'no-augment',
    'no-worker',
    'help',
    'no-plan',
    'evaluate-maps',
    'json',
  ]);
  if (optionFlag(args, 'help')) {
    console.log(usage);
    return 0;
  }
  applyEngineOptions(args);
  const exportFrom = optionString(args, 'export-attention');
  if (exportFrom !== undefined) {
    const model = optionString(args, 'model');
    const out = optionString(args, 'out');
    if (!model || !out)
      throw new InputError(`--export-attention needs --model <run> and --out <dir>\n${usage}`);
    const { exportAttention } = await import('../train/export-attention.js');
    const { loadBertEncoder } = await import('../nn/bert.js');
    const files = await exportAttention(exportFrom, model, out, {
      force: optionFlag(args, 'force'),
      loadTextEncoder: loadBertEncoder,
    });
    console.log(`wrote ${files.length} attention maps to ${out}`);
    return 0;
  }
  if (optionFlag(args, 'evaluate-maps')) {
    const model = optionString(args, 'model');
    const data = optionString(args, 'data');
    if (!model || !data)
      throw new InputError(`--evaluate-maps needs --model <run> and --data <dir>\n${usage}`);
    const { evaluateMaps, formatMapEvaluation } = await import('../train/evaluate-maps.js');
    const { loadBertEncoder } = await import('../nn/bert.js');
    const cases = optionString(args, 'cases');
    const evaluation = await evaluateMaps(model, data, {
      format: optionString(args, 'format') as import('../data/dataset.js').DatasetFormat | undefined,
      cases: cases?.split(',').map((c) => c.trim()),
      loadTextEncoder: loadBertEncoder,
    });
    console.log(
      optionFlag(args, 'json') ? JSON.stringify(evaluation, null, 2) : formatMapEvaluation(evaluation),
    );
    return 0;
  }
  const pairs = optionString(args, 'pairs');
  const out = optionString(args, 'out');
  if (!pairs || !out) throw new InputError(`--pairs and --out are required\n${usage}`);
  const { defaultPretrainConfig } = await import('../train/pretrain-config.js');
  const { unet2dPresets } = await import('../nn/unet2d-encoder.js');
  const { vitPresets } = await import('../nn/vit.js');
  const { vocabularyNames } = await import('../report/vocabularies.js');
  const d = defaultPretrainConfig;
  const arch = optionString(args, 'arch', d.arch)!;
  if (arch !== 'unet2d' && arch !== 'unetr')
    throw new InputError(`--arch must be unet2d or unetr, got "${arch}"`);
  const tags = optionString(args, 'tags', d.tags)!;
  if (!(vocabularyNames as readonly string[]).includes(tags))
    throw new InputError(`--tags must be one of ${vocabularyNames.join(', ')}, got "${tags}"`);
  const widthsOption = optionString(args, 'widths');
  const widths =
    widthsOption === undefined
      ? d.widths
      : widthsOption in unet2dPresets
        ? [...unet2dPresets[widthsOption as keyof typeof unet2dPresets]]
        : (numberList(args, 'widths', widthsOption.split(',').length) ?? d.widths);
  const vit = optionString(args, 'vit', d.vit)!;
  if (!(vit in vitPresets))
    throw new InputError(`--vit must be one of ${Object.keys(vitPresets).join(', ')}`);
  const loss = optionString(args, 'loss', d.mlrLoss)!;
  if (loss !== 'asl' && loss !== 'bce') throw new InputError(`--loss must be asl or bce, got "${loss}"`);
  const intensityKind = optionString(args, 'intensity', 'ct')!;
  const window = numberList(args, 'window', 2) ?? [-175, 250];
  const intensity: IntensitySetting | undefined =
    intensityKind === 'ct'
      ? { kind: 'ct', min: window[0]!, max: window[1]! }
      : intensityKind === 'zscore' || intensityKind === 'auto'
        ? { kind: intensityKind }
        : undefined;
  if (!intensity) throw new InputError(`--intensity must be ct, zscore or auto, got "${intensityKind}"`);
  const always = optionString(args, 'always-imaged');
  const positive = (name: string, fallback: number) => {
    const v = optionNumber(args, name, fallback);
    if (!(v > 0)) throw new InputError(`option --${name} must be positive, got ${v}`);
    return v;
  };
  const explicitIntensity = args.options.has('intensity') || args.options.has('window');
  const planned =
    optionFlag(args, 'no-plan') || optionFlag(args, 'resume') || arch !== 'unet2d'
      ? undefined
      : await planPretrain(pairs, optionString(args, 'plan'), {
          spacing: numberList(args, 'spacing', 3) as [number, number, number] | undefined,
          intensity: explicitIntensity ? intensity : undefined,
          widths: args.options.has('widths') ? widths : undefined,
        });
  const { pretrain } = await import('../train/pretrain.js');
  const { loadBertEncoder } = await import('../nn/bert.js');
  const result = await pretrain(
    {
      ...d,
      pairs,
      out,
      arch,
      epochs: Math.round(positive('epochs', d.epochs)),
      batch: Math.round(positive('batch', d.batch)),
      lr: positive('lr', d.lr),
      weightDecay: optionNumber(args, 'weight-decay', d.weightDecay),
      seed: Math.round(optionNumber(args, 'seed', d.seed)),
      tags: tags as typeof d.tags,
      textEncoder: optionString(args, 'text-encoder', d.textEncoder)!,
      lambda: optionNumber(args, 'lambda', d.lambda),
      mlrLoss: loss,
      alwaysImaged:
        always === undefined
          ? undefined
          : always
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      validationFraction: optionNumber(args, 'val-fraction', d.validationFraction),
      preprocess: planned?.preprocess ?? {
        spacing:
          (numberList(args, 'spacing', 3) as [number, number, number] | undefined) ?? d.preprocess.spacing,
        intensity,
      },
      patch: (numberList(args, 'patch', 2) as [number, number] | undefined) ?? planned?.patch ?? d.patch,
      bagStrideMm: positive('bag-stride', d.bagStrideMm),
      mapLambda: optionNumber(args, 'map-lambda', d.mapLambda),
      textLrScale: optionNumber(args, 'text-lr-scale', d.textLrScale),
      widths: planned?.widths ?? widths,
      plan: planned?.plan,
      vit: vit as typeof d.vit,
      embedDim: Math.round(positive('embed-dim', d.embedDim)),
      maxTokens: Math.round(positive('max-tokens', d.maxTokens)),
      augment: !optionFlag(args, 'no-augment'),
      worker: !optionFlag(args, 'no-worker'),
      resume: optionFlag(args, 'resume'),
      skipBad: optionFlag(args, 'skip-bad'),
      force: optionFlag(args, 'force'),
      maxSteps: Math.round(optionNumber(args, 'max-steps', 0)),
    },
    { argv, loadTextEncoder: loadBertEncoder },
  );
  if (result.skipped.length > 0) console.log(`skipped ${result.skipped.length} bad line(s) of ${pairs}`);
  console.log(
    `${result.interrupted ? 'stopped' : 'finished'} after ${result.steps} steps; run folder ${result.runDir}`,
  );
  return 0;
}

/**
 * Pre-training's share of the plan (spacing, normalisation of the first channel, widths and the 2D
 * patch, so pre-training samples on fine-tuning's grid): from `--plan`, else from planning the dataset folder that holds the
 * pairs manifest; undefined when that folder is not a labelled dataset (the defaults then apply).
 */
async function planPretrain(
  pairs: string,
  planPath: string | undefined,
  overrides: import('../data/resolve-plan.js').PlanOverrides,
) {
  const { dirname } = await import('node:path');
  const { resolvePlan } = await import('../data/resolve-plan.js');
  let resolved: Awaited<ReturnType<typeof resolvePlan>>;
  try {
    resolved = await resolvePlan(dirname(pairs), { planPath }, '2d', overrides);
  } catch (error) {
    if (planPath !== undefined) throw error;
    console.error(`mosmos pretrain: not planned (${(error as Error).message}); using the default settings`);
    return undefined;
  }
  const { plan, settings } = resolved;
  const intensity = Array.isArray(settings.preprocess.intensity)
    ? settings.preprocess.intensity[0]!
    : settings.preprocess.intensity;
  return {
    plan,
    preprocess: { spacing: settings.preprocess.spacing, intensity },
    widths: settings.widths,
    patch: [settings.patch[0]!, settings.patch[1]!] as [number, number],
  };
}
