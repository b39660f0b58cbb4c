import { DATASET_FORMATS, parseDatasetFormat } from '../data/dataset.js';
import { type LabelledPick, labelledPicks } from '../data/labelled-pick.js';
import { InputError } from '../errors.js';
import { defaultFinetuneConfig } from '../train/finetune-config.js';
import { applyEngineOptions, engineOptions } from './engine-options.js';
import { type CommandSpec, readCommandLine } from './options.js';
import { preprocessOptions, runFolderOptions } from './run-options.js';

const d = defaultFinetuneConfig;

export const spec = {
  name: 'finetune',
  positionals: '',
  arity: [0, 0],
  options: [
    { name: 'data', type: 'string', value: '<dir>', required: true, help: 'labelled dataset folder' },
    { name: 'out', type: 'string', value: '<run>', required: true, help: 'run folder to write' },
    {
      name: 'format',
      type: 'string',
      choices: DATASET_FORMATS,
      help: 'dataset layout (detected when omitted)',
    },
    {
      name: 'modality',
      type: 'string',
      choices: ['ct', 'mr'],
      help: 'the CT or MR cases of a mixed dataset',
    },
    {
      name: 'arch',
      type: 'string',
      choices: ['unet2d', 'unet3d', 'unetr'],
      default: d.arch,
      help: 'network',
    },
    {
      name: 'pretrained',
      type: 'string',
      value: '<pretrain-run>',
      help: 'start from a report-pre-trained encoder and its tag queries',
    },
    {
      name: 'attention-maps',
      type: 'string',
      choices: ['on', 'off'],
      help: 'pixel-tag attention maps in the decoder (default: on with --pretrained)',
    },
    {
      name: 'freeze-tags',
      type: 'string',
      choices: ['on', 'off'],
      default: 'on',
      help: 'keep the tag queries and map projections fixed',
    },
    {
      name: 'label-fraction',
      type: 'number',
      value: 'X',
      default: d.labelFraction,
      help: 'a seeded fraction of the labelled training cases',
    },
    {
      name: 'labelled-cases',
      type: 'number',
      value: 'N',
      help: 'exactly N labelled training cases (overrides the fraction)',
    },
    {
      name: 'labelled-pick',
      type: 'string',
      choices: labelledPicks,
      default: 'random',
      help: 'which cases the fraction or count labels: seeded random, or chosen from pairs.jsonl reports to cover every organ',
    },
    {
      name: 'self-train',
      type: 'number',
      value: 'F',
      default: d.selfTrain,
      help: 'after this fraction of the steps, pseudo-label the unlabelled training cases (reports remove organs they rule out) and train on both; 0 = off',
    },
    { name: 'epochs', type: 'number', value: 'N', default: d.epochs, help: 'epochs (without --time-budget)' },
    { name: 'steps', type: 'number', value: 'N', default: d.stepsPerEpoch, help: 'steps per epoch' },
    {
      name: 'batch',
      type: 'number',
      value: 'N',
      help: `patches per step (default: the plan's, else ${d.batch})`,
    },
    {
      name: 'lr',
      type: 'number',
      value: 'X',
      default: d.lr,
      help: 'AdamW learning rate, poly decay (exponent 0.9)',
    },
    { name: 'weight-decay', type: 'number', value: 'X', default: d.weightDecay, help: 'AdamW weight decay' },
    {
      name: 'seed',
      type: 'number',
      value: 'N',
      default: d.seed,
      help: 'seed of initialisation, case subsets and patches',
    },
    {
      name: 'patch',
      type: 'string',
      value: 'x,y|x,y,z',
      help: "patch (default: the plan's; unet2d 64,64, unet3d 64,64,32; UNETR uses its ViT size)",
    },
    {
      name: 'widths',
      type: 'string',
      value: 'tiny|small|paper|a,b,…',
      help: "U-Net widths (default: the plan's, else small = 16,32,64,128)",
    },
    {
      name: 'positive-fraction',
      type: 'number',
      value: 'X',
      default: d.positiveFraction,
      help: 'patches centred on foreground (class drawn uniformly per case)',
    },
    { name: 'no-deep-supervision', type: 'flag', help: 'loss at full resolution only' },
    { name: 'no-augment', type: 'flag', help: 'no data augmentation' },
    { name: 'no-worker', type: 'flag', help: 'augment on the main thread' },
    {
      name: 'postprocess',
      type: 'string',
      choices: ['none', 'lcc'],
      default: d.postprocess,
      help: 'largest connected component per organ, in validation and (through model.json) in segment',
    },
    {
      name: 'vit',
      type: 'string',
      choices: ['tiny', 'small', 'base'],
      default: d.vit,
      help: 'UNETR ViT size (without --pretrained)',
    },
    { name: 'feature-size', type: 'number', value: 'N', default: d.featureSize, help: 'UNETR decoder width' },
    {
      name: 'tags',
      type: 'string',
      value: 'btcv|amos|…',
      default: d.tags,
      help: 'tag vocabulary of the maps (without --pretrained)',
    },
    ...preprocessOptions({ spacing: "the pre-training run's", intensity: "the pre-training run's" }),
    {
      name: 'val-every',
      type: 'number',
      value: 'N',
      default: d.valEvery,
      help: 'sliding-window validation every N epochs (and after the last)',
    },
    { name: 'overlap', type: 'number', value: 'X', default: d.overlap, help: 'window overlap in validation' },
    ...runFolderOptions('the dataset now', 'run'),
    ...engineOptions,
  ],
} as const satisfies CommandSpec;

type FinetuneOption = (typeof spec.options)[number]['name'];

/** `mosmos finetune`: fine-tune a segmentation network (see DESIGN.md §1). */
export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  applyEngineOptions(line);
  const data = line.string('data') ?? '';
  const out = line.string('out') ?? '';
  const { unet2dPresets } = await import('../nn/unet2d-encoder.js');
  const { vitPresets } = await import('../nn/vit.js');
  const arch = line.string('arch') ?? d.arch;
  if (arch !== 'unet2d' && arch !== 'unet3d' && arch !== 'unetr')
    throw new InputError(`--arch must be unet2d, unet3d or unetr, got "${arch}"`);
  const pretrained = line.string('pretrained');
  const maps = line.string('attention-maps') ?? (pretrained ? 'on' : 'off');
  if (maps !== 'on' && maps !== 'off')
    throw new InputError(`--attention-maps must be on or off, got "${maps}"`);
  const formatOption = line.string('format');
  const widthsOption = line.string('widths');
  const widths =
    widthsOption === undefined
      ? d.widths
      : widthsOption in unet2dPresets
        ? [...unet2dPresets[widthsOption as keyof typeof unet2dPresets]]
        : line.numbers('widths', widthsOption.split(',').length)!;
  const vit = line.string('vit') ?? d.vit;
  if (!(vit in vitPresets))
    throw new InputError(`--vit must be one of ${Object.keys(vitPresets).join(', ')}`);
  const spacing = line.numbers('spacing', 3) as [number, number, number] | undefined;
  const intensityKind = line.string('intensity');
  const window = line.numbers('window', 2, true);
  let preprocess: import('../data/preprocess.js').PreprocessSettings | undefined;
  if (spacing || intensityKind || window) {
    const { defaultPreprocess } = await import('../data/preprocess.js');
    const kind = intensityKind ?? 'ct';
    const w = window ?? [-175, 250];
    const intensity =
      kind === 'ct'
        ? { kind: 'ct' as const, min: w[0]!, max: w[1]! }
        : kind === 'zscore' || kind === 'auto'
          ? { kind: kind as 'zscore' | 'auto' }
          : undefined;
    if (!intensity) throw new InputError(`--intensity must be ct, zscore or auto, got "${kind}"`);
    preprocess = { spacing: spacing ?? defaultPreprocess.spacing, intensity };
  }
  const positive = (name: FinetuneOption, fallback: number) => {
    const v = line.number(name) ?? fallback;
    if (!(v > 0)) throw new InputError(`option --${name} must be positive, got ${v}`);
    return v;
  };
  const patchOption = line.string('patch');
  const patch: number[] =
    patchOption === undefined
      ? arch === 'unet3d'
        ? [64, 64, 32]
        : d.patch
      : line.numbers('patch', arch === 'unet3d' ? 3 : 2)!;
  const postprocess = line.string('postprocess') ?? d.postprocess;
  if (postprocess !== 'none' && postprocess !== 'lcc')
    throw new InputError(`--postprocess must be none or lcc, got "${postprocess}"`);
  const positiveFraction = line.number('positive-fraction') ?? d.positiveFraction;
  if (!(positiveFraction >= 0 && positiveFraction <= 1))
    throw new InputError(`--positive-fraction must be between 0 and 1, got ${positiveFraction}`);
  const selfTrain = line.number('self-train') ?? d.selfTrain;
  if (!(selfTrain >= 0 && selfTrain < 1))
    throw new InputError(`--self-train must be a fraction of the steps in [0, 1), got ${selfTrain}`);
  // Planning (issue #10 §1): every value given on the command line wins over the plan's.
  let planned: Awaited<ReturnType<typeof planFinetune>> | undefined;
  if (!line.flag('no-plan') && !pretrained && !line.flag('resume'))
    planned = await planFinetune(data, arch, {
      format: formatOption === undefined ? undefined : parseDatasetFormat(formatOption),
      modality: line.string('modality'),
      planPath: line.string('plan'),
      overrides: {
        spacing,
        intensity: intensityKind || window ? preprocess?.intensity : undefined,
        patch: patchOption === undefined ? undefined : patch,
        batch: line.has('batch') ? Math.round(positive('batch', d.batch)) : undefined,
        widths: widthsOption === undefined ? undefined : widths,
      },
    });
  const { finetune } = await import('../train/finetune.js');
  const { loadBertEncoder } = await import('../io/bert-folder.js');
  const result = await finetune(
    {
      ...d,
      data,
      out,
      format: formatOption === undefined ? undefined : parseDatasetFormat(formatOption),
      modality: line.string('modality'),
      arch,
      pretrained,
      attentionMaps: maps === 'on',
      labelFraction: line.number('label-fraction') ?? d.labelFraction,
      labelledCases: Math.round(line.number('labelled-cases') ?? 0),
      labelledPick: (line.string('labelled-pick') ?? 'random') as LabelledPick,
      selfTrain,
      freezeTags: onOff(line.string('freeze-tags') ?? 'on', 'freeze-tags'),
      epochs: Math.round(positive('epochs', d.epochs)),
      stepsPerEpoch: Math.round(positive('steps', d.stepsPerEpoch)),
      batch: planned?.batch ?? Math.round(positive('batch', d.batch)),
      lr: positive('lr', d.lr),
      weightDecay: line.number('weight-decay') ?? d.weightDecay,
      seed: Math.round(line.number('seed') ?? d.seed),
      patch: (planned?.patch ?? patch).map(Math.round) as [number, number] | [number, number, number],
      deepSupervision: !line.flag('no-deep-supervision'),
      worker: !line.flag('no-worker'),
      timeBudget: line.number('time-budget') ?? 0,
      postprocess,
      positiveFraction,
      preprocess: planned?.preprocess ?? preprocess,
      widths: planned?.widths ?? widths,
      plan: planned?.plan,
      regions: planned?.regions,
      vit: vit as typeof d.vit,
      featureSize: Math.round(positive('feature-size', d.featureSize)),
      tags: line.string('tags') ?? d.tags,
      valEvery: Math.round(positive('val-every', d.valEvery)),
      overlap: line.number('overlap') ?? d.overlap,
      augment: !line.flag('no-augment'),
      resume: line.flag('resume'),
      force: line.flag('force'),
      maxSteps: Math.round(line.number('max-steps') ?? 0),
    },
    { argv, loadTextEncoder: loadBertEncoder },
  );
  const best =
    result.bestDice === null ? 'no validation' : `best validation mean Dice ${result.bestDice.toFixed(4)}`;
  console.log(
    `${result.interrupted ? 'stopped' : 'finished'} after ${result.steps} step(s) of ${result.plannedSteps}; ${best}; run in ${result.runDir}`,
  );
  const last = result.validation[result.validation.length - 1];
  if (last)
    for (const [organ, dice] of Object.entries(last.perOrgan))
      console.log(`  ${organ.padEnd(28)} ${dice.toFixed(4)}`);
  return 0;
}

/**
 * The plan's settings for a fine-tuning run (`--plan` file, else the dataset planned now). UNETR
 * keeps its ViT-sized patch and takes only spacing and normalisation.
 */
async function planFinetune(
  data: string,
  arch: string,
  options: {
    format?: import('../data/dataset.js').DatasetFormat;
    modality?: string;
    planPath?: string;
    overrides: import('../data/resolve-plan.js').PlanOverrides;
  },
) {
  const { resolvePlan } = await import('../data/resolve-plan.js');
  const configuration = arch === 'unet3d' ? '3d_fullres' : '2d';
  let resolved: Awaited<ReturnType<typeof resolvePlan>>;
  try {
    resolved = await resolvePlan(data, options, configuration, options.overrides);
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(`${data}: ${error.message}`);
    throw error;
  }
  const { plan, settings } = resolved;
  const { preprocess } = settings;
  const planned = {
    plan,
    preprocess,
    patch: arch === 'unetr' ? undefined : settings.patch,
    batch: settings.batch,
    widths: arch === 'unetr' ? undefined : settings.widths,
    regions: plan.output.kind === 'regions' ? plan.output.regions : undefined,
  };
  const channels = Array.isArray(preprocess.intensity) ? preprocess.intensity.length : 1;
  console.error(
    `mosmos finetune: planned spacing ${preprocess.spacing.map((v) => Number(v.toFixed(3))).join('×')} mm` +
      (planned.patch
        ? `, patch ${planned.patch.join('×')}, batch ${planned.batch}, widths ${planned.widths!.join(',')}`
        : '') +
      (channels > 1 ? `, ${channels} input channels (${plan.channels.join(', ')})` : '') +
      (planned.regions ? `, sigmoid regions ${planned.regions.map((r) => r.name).join(', ')}` : ''),
  );
  return planned;
}

function onOff(value: string, name: string): boolean {
  if (value !== 'on' && value !== 'off') throw new InputError(`--${name} must be on or off, got "${value}"`);
  return value === 'on';
}
