import { DATASET_FORMATS } from '../data/dataset.js';
import type { IntensitySetting } from '../data/preprocess.js';
import { InputError } from '../errors.js';
import { vocabularyNames } from '../report/vocabularies.js';
import { defaultPretrainConfig } from '../train/pretrain-config.js';
import { applyEngineOptions, engineOptions } from './engine-options.js';
import { type CommandSpec, readCommandLine, usageText } from './options.js';
import { preprocessOptions, runFolderOptions } from './run-options.js';

const d = defaultPretrainConfig;

export const spec = {
  name: 'pretrain',
  positionals: '',
  arity: [0, 0],
  options: [
    { name: 'pairs', type: 'string', value: 'pairs.jsonl', help: 'image–report pairs manifest (training)' },
    {
      name: 'out',
      type: 'string',
      value: '<run | dir>',
      help: 'run folder to write (training), or the maps folder (--export-attention)',
    },
    {
      name: 'arch',
      type: 'string',
      choices: ['unet2d', 'unetr'],
      default: d.arch,
      help: 'image encoder: 2D U-Net encoder or UNETR ViT',
    },
    { name: 'epochs', type: 'number', value: 'N', default: d.epochs, help: 'epochs' },
    { name: 'batch', type: 'number', value: 'N', default: d.batch, help: 'volumes (bags) per step' },
    { name: 'lr', type: 'number', value: 'X', default: d.lr, help: 'AdamW learning rate (warm-up, cosine)' },
    { name: 'weight-decay', type: 'number', value: 'X', default: d.weightDecay, help: 'AdamW weight decay' },
    { name: 'seed', type: 'number', value: 'N', default: d.seed, help: 'seed' },
    { name: 'tags', type: 'string', choices: vocabularyNames, default: d.tags, help: 'organ-tag vocabulary' },
    {
      name: 'text-encoder',
      type: 'string',
      value: 'builtin|<local BERT folder>',
      default: d.textEncoder,
      help: 'report encoder',
    },
    {
      name: 'text-lr-scale',
      type: 'number',
      value: 'X',
      default: d.textLrScale,
      help: 'LR multiplier of a loaded BERT (0 = frozen)',
    },
    {
      name: 'lambda',
      type: 'number',
      value: 'X',
      default: d.lambda,
      help: 'weight of the organ-tag recognition loss',
    },
    {
      name: 'map-lambda',
      type: 'number',
      value: 'X',
      default: d.mapLambda,
      help: "weight of the attention maps' own loss",
    },
    { name: 'loss', type: 'string', choices: ['asl', 'bce'], default: d.mlrLoss, help: 'recognition loss' },
    {
      name: 'always-imaged',
      type: 'string',
      value: 'liver,spleen,…',
      help: 'organs taken as present when a report is silent',
    },
    {
      name: 'widths',
      type: 'string',
      value: 'tiny|small|paper|a,b,…',
      help: "2D encoder widths (default: the plan's, else small)",
    },
    {
      name: 'vit',
      type: 'string',
      choices: ['tiny', 'small', 'base'],
      default: d.vit,
      help: 'UNETR ViT size',
    },
    {
      name: 'patch',
      type: 'string',
      value: 'x,y',
      help: "in-plane patch in voxels, as fine-tuning (default: the plan's, else 64,64)",
    },
    {
      name: 'bag-stride',
      type: 'number',
      value: 'mm',
      default: d.bagStrideMm,
      help: "axial stride of each volume's bag (every organ longer than this is in the bag)",
    },
    { name: 'embed-dim', type: 'number', value: 'N', default: d.embedDim, help: 'joint embedding size' },
    {
      name: 'max-tokens',
      type: 'number',
      value: 'N',
      default: d.maxTokens,
      help: 'tokens per chunk; longer reports are encoded in sentence chunks, never cut silently',
    },
    ...preprocessOptions({ spacing: '1.5,1.5,3', intensity: 'ct' }),
    {
      name: 'val-fraction',
      type: 'number',
      value: 'X',
      default: d.validationFraction,
      help: 'pairs held out for retrieval and tag validation',
    },
    { name: 'no-augment', type: 'flag', help: 'no data augmentation' },
    { name: 'no-worker', type: 'flag', help: 'read images on the main thread' },
    ...runFolderOptions('the dataset folder holding --pairs', 'run (or maps folder)'),
    { name: 'skip-bad', type: 'flag', help: 'skip and count bad pairs lines' },
    {
      name: 'export-attention',
      type: 'string',
      value: '<volume>',
      help: "write a run's pixel-tag attention maps for a volume (with --model, --out)",
    },
    {
      name: 'evaluate-maps',
      type: 'flag',
      help: "judge a run's maps before fine-tuning: pointing game and AUROC per organ (with --model, --data)",
    },
    {
      name: 'model',
      type: 'string',
      value: '<run>',
      help: 'the pre-training run (--export-attention, --evaluate-maps)',
    },
    { name: 'data', type: 'string', value: '<dir>', help: 'labelled dataset for --evaluate-maps' },
    { name: 'format', type: 'string', choices: DATASET_FORMATS, help: 'dataset layout for --evaluate-maps' },
    {
      name: 'cases',
      type: 'string',
      value: 'id,id,…',
      help: "cases for --evaluate-maps (default: labelled cases outside the run's pairs)",
    },
    { name: 'json', type: 'flag', help: 'machine-readable --evaluate-maps output' },
    ...engineOptions,
  ],
} as const satisfies CommandSpec;

type PretrainOption = (typeof spec.options)[number]['name'];

/** `mosmos pretrain`: report-supervised pre-training, or export of a run's attention maps. */
export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  applyEngineOptions(line);
  const exportFrom = line.string('export-attention');
  if (exportFrom !== undefined) {
    const model = line.string('model');
    const out = line.string('out');
    if (!model || !out)
      throw new InputError(`--export-attention needs --model <run> and --out <dir>\n${usageText(spec)}`);
    const { exportAttention } = await import('../train/export-attention.js');
    const { loadBertEncoder } = await import('../io/bert-folder.js');
    const files = await exportAttention(exportFrom, model, out, {
      force: line.flag('force'),
      loadTextEncoder: loadBertEncoder,
    });
    console.log(`wrote ${files.length} attention maps to ${out}`);
    return 0;
  }
  if (line.flag('evaluate-maps')) {
    const model = line.string('model');
    const data = line.string('data');
    if (!model || !data)
      throw new InputError(`--evaluate-maps needs --model <run> and --data <dir>\n${usageText(spec)}`);
    const { evaluateMaps, formatMapEvaluation } = await import('../train/evaluate-maps.js');
    const { loadBertEncoder } = await import('../io/bert-folder.js');
    const cases = line.string('cases');
    const evaluation = await evaluateMaps(model, data, {
      format: line.string('format') as import('../data/dataset.js').DatasetFormat | undefined,
      cases: cases?.split(',').map((c) => c.trim()),
      loadTextEncoder: loadBertEncoder,
    });
    console.log(line.flag('json') ? JSON.stringify(evaluation, null, 2) : formatMapEvaluation(evaluation));
    return 0;
  }
  const pairs = line.string('pairs');
  const out = line.string('out');
  if (!pairs || !out) throw new InputError(`--pairs and --out are required\n${usageText(spec)}`);
  const { unet2dPresets } = await import('../nn/unet2d-encoder.js');
  const { vitPresets } = await import('../nn/vit.js');
  const arch = line.string('arch') ?? d.arch;
  if (arch !== 'unet2d' && arch !== 'unetr')
    throw new InputError(`--arch must be unet2d or unetr, got "${arch}"`);
  const tags = line.string('tags') ?? d.tags;
  if (!(vocabularyNames as readonly string[]).includes(tags))
    throw new InputError(`--tags must be one of ${vocabularyNames.join(', ')}, got "${tags}"`);
  const widthsOption = line.string('widths');
  const widths =
    widthsOption === undefined
      ? d.widths
      : widthsOption in unet2dPresets
        ? [...unet2dPresets[widthsOption as keyof typeof unet2dPresets]]
        : (line.numbers('widths', widthsOption.split(',').length) ?? d.widths);
  const vit = line.string('vit') ?? d.vit;
  if (!(vit in vitPresets))
    throw new InputError(`--vit must be one of ${Object.keys(vitPresets).join(', ')}`);
  const loss = line.string('loss') ?? d.mlrLoss;
  if (loss !== 'asl' && loss !== 'bce') throw new InputError(`--loss must be asl or bce, got "${loss}"`);
  const intensityKind = line.string('intensity') ?? 'ct';
  const window = line.numbers('window', 2, true) ?? [-175, 250];
  const intensity: IntensitySetting | undefined =
    intensityKind === 'ct'
      ? { kind: 'ct', min: window[0]!, max: window[1]! }
      : intensityKind === 'zscore' || intensityKind === 'auto'
        ? { kind: intensityKind }
        : undefined;
  if (!intensity) throw new InputError(`--intensity must be ct, zscore or auto, got "${intensityKind}"`);
  const always = line.string('always-imaged');
  const positive = (name: PretrainOption, fallback: number) => {
    const v = line.number(name) ?? fallback;
    if (!(v > 0)) throw new InputError(`option --${name} must be positive, got ${v}`);
    return v;
  };
  const explicitIntensity = line.has('intensity') || line.has('window');
  const planned =
    line.flag('no-plan') || line.flag('resume') || arch !== 'unet2d'
      ? undefined
      : await planPretrain(pairs, line.string('plan'), {
          spacing: line.numbers('spacing', 3) as [number, number, number] | undefined,
          intensity: explicitIntensity ? intensity : undefined,
          widths: line.has('widths') ? widths : undefined,
        });
  const { pretrain } = await import('../train/pretrain.js');
  const { loadBertEncoder } = await import('../io/bert-folder.js');
  const result = await pretrain(
    {
      ...d,
      pairs,
      out,
      arch,
      epochs: Math.round(positive('epochs', d.epochs)),
      batch: Math.round(positive('batch', d.batch)),
      lr: positive('lr', d.lr),
      weightDecay: line.number('weight-decay') ?? d.weightDecay,
      seed: Math.round(line.number('seed') ?? d.seed),
      tags: tags as typeof d.tags,
      textEncoder: line.string('text-encoder') ?? d.textEncoder,
      lambda: line.number('lambda') ?? d.lambda,
      mlrLoss: loss,
      alwaysImaged:
        always === undefined
          ? undefined
          : always
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      validationFraction: line.number('val-fraction') ?? d.validationFraction,
      preprocess: planned?.preprocess ?? {
        spacing: (line.numbers('spacing', 3) as [number, number, number] | undefined) ?? d.preprocess.spacing,
        intensity,
      },
      patch: (line.numbers('patch', 2) as [number, number] | undefined) ?? planned?.patch ?? d.patch,
      bagStrideMm: positive('bag-stride', d.bagStrideMm),
      mapLambda: line.number('map-lambda') ?? d.mapLambda,
      textLrScale: line.number('text-lr-scale') ?? d.textLrScale,
      widths: planned?.widths ?? widths,
      plan: planned?.plan,
      vit: vit as typeof d.vit,
      embedDim: Math.round(positive('embed-dim', d.embedDim)),
      maxTokens: Math.round(positive('max-tokens', d.maxTokens)),
      augment: !line.flag('no-augment'),
      worker: !line.flag('no-worker'),
      resume: line.flag('resume'),
      skipBad: line.flag('skip-bad'),
      force: line.flag('force'),
      maxSteps: Math.round(line.number('max-steps') ?? 0),
      timeBudget: line.number('time-budget') ?? 0,
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
  // A pairs line holds one image per report, so the encoder sees one channel; fine-tuning from it
  // keeps that one channel (and softmax classes, as it takes the pre-training run's settings).
  if (plan.inputChannels > 1)
    console.error(
      `mosmos pretrain: the plan has ${plan.inputChannels} input channels (${plan.channels.join(', ')}); pre-training reads each pair's one image with the first channel's normalisation`,
    );
  return {
    plan,
    preprocess: { spacing: settings.preprocess.spacing, intensity },
    widths: settings.widths,
    patch: [settings.patch[0]!, settings.patch[1]!] as [number, number],
  };
}
