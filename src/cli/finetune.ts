import { parseDatasetFormat } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { optionFlag, optionNumber, optionString, type ParsedArgs, parseArgs } from './args.js';

const usage = `usage: mosmos finetune --data <dir> --arch unet2d|unet3d|unetr --out <run> [options]

  --format btcv|amos|mmwhs|brats|msd   dataset layout (detected when omitted)   --modality ct|mr
  --pretrained <pretrain-run>          start from a report-pre-trained encoder and its tag queries
  --attention-maps on|off              pixel-tag attention maps in the decoder (on with --pretrained)
  --label-fraction X (1)               use a seeded fraction of the labelled training cases
  --time-budget MIN                    train for at most MIN minutes: the steps are planned from the
                                       measured step time and the poly schedule spans them
  --epochs N (20)  --steps N per epoch (50)  --batch N patches (8)  --seed N (0)
  --lr X (3e-3; AdamW with poly decay, exponent 0.9)  --weight-decay X (0.01)
  --patch x,y (64,64) for unet2d, x,y,z (64,64,32) for unet3d; UNETR uses its ViT size
  --widths tiny|small|paper|a,b,… (small = 16,32,64,128)
  --positive-fraction X (0.5)          patches centred on foreground (class drawn uniformly per case)
  --no-deep-supervision                loss at full resolution only  --no-worker  augment on the main thread
  --postprocess none|lcc (lcc)         keep each organ's largest connected component in validation
                                       and, through model.json, in mosmos segment
  --vit tiny|small|base (tiny)  --feature-size N (16)  --tags btcv|amos|… (btcv, without --pretrained)
  --spacing x,y,z mm  --intensity ct|zscore|auto  --window min,max HU   (default: the pre-training run's)
  --val-every N (5)  --overlap X (0.5)  --no-augment  --max-steps N
  --resume  continue the run in --out     --force  replace an existing run`;

function numberList(args: ParsedArgs, name: string, count: number): number[] | undefined {
  const value = optionString(args, name);
  if (value === undefined) return undefined;
  const parts = value.split(',').map(Number);
  if (parts.length !== count || parts.some((p) => !Number.isFinite(p) || p <= 0))
    throw new InputError(
      `option --${name}: expected ${count} comma-separated positive numbers, got "${value}"`,
    );
  return parts;
}

/** `mosmos finetune`: fine-tune a segmentation network (see DESIGN.md §1). */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['resume', 'force', 'no-augment', 'no-deep-supervision', 'no-worker', 'help']);
  if (optionFlag(args, 'help')) {
    console.log(usage);
    return 0;
  }
  const data = optionString(args, 'data');
  const out = optionString(args, 'out');
  if (!data || !out) throw new InputError(`--data and --out are required\n${usage}`);
  const { defaultFinetuneConfig: d } = await import('../train/finetune-config.js');
  const { unet2dPresets } = await import('../nn/unet2d-encoder.js');
  const { vitPresets } = await import('../nn/vit.js');
  const arch = optionString(args, 'arch', d.arch)!;
  if (arch !== 'unet2d' && arch !== 'unet3d' && arch !== 'unetr')
    throw new InputError(`--arch must be unet2d, unet3d or unetr, got "${arch}"`);
  const pretrained = optionString(args, 'pretrained');
  const maps = optionString(args, 'attention-maps', pretrained ? 'on' : 'off')!;
  if (maps !== 'on' && maps !== 'off')
    throw new InputError(`--attention-maps must be on or off, got "${maps}"`);
  const formatOption = optionString(args, 'format');
  const widthsOption = optionString(args, 'widths');
  const widths =
    widthsOption === undefined
      ? d.widths
      : widthsOption in unet2dPresets
        ? [...unet2dPresets[widthsOption as keyof typeof unet2dPresets]]
        : numberList(args, 'widths', widthsOption.split(',').length)!;
  const vit = optionString(args, 'vit', d.vit)!;
  if (!(vit in vitPresets))
    throw new InputError(`--vit must be one of ${Object.keys(vitPresets).join(', ')}`);
  const spacing = numberList(args, 'spacing', 3) as [number, number, number] | undefined;
  const intensityKind = optionString(args, 'intensity');
  const window = numberList(args, 'window', 2);
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
  const positive = (name: string, fallback: number) => {
    const v = optionNumber(args, name, fallback);
    if (!(v > 0)) throw new InputError(`option --${name} must be positive, got ${v}`);
    return v;
  };
  const patchOption = optionString(args, 'patch');
  const patch: number[] =
    patchOption === undefined
      ? arch === 'unet3d'
        ? [64, 64, 32]
        : d.patch
      : numberList(args, 'patch', arch === 'unet3d' ? 3 : 2)!;
  const postprocess = optionString(args, 'postprocess', d.postprocess)!;
  if (postprocess !== 'none' && postprocess !== 'lcc')
    throw new InputError(`--postprocess must be none or lcc, got "${postprocess}"`);
  const positiveFraction = optionNumber(args, 'positive-fraction', d.positiveFraction);
  if (!(positiveFraction >= 0 && positiveFraction <= 1))
    throw new InputError(`--positive-fraction must be between 0 and 1, got ${positiveFraction}`);
  const { finetune } = await import('../train/finetune.js');
  const { loadBertEncoder } = await import('../nn/bert.js');
  const result = await finetune(
    {
      ...d,
      data,
      out,
      format: formatOption === undefined ? undefined : parseDatasetFormat(formatOption),
      modality: optionString(args, 'modality'),
      arch,
      pretrained,
      attentionMaps: maps === 'on',
      labelFraction: optionNumber(args, 'label-fraction', d.labelFraction),
      epochs: Math.round(positive('epochs', d.epochs)),
      stepsPerEpoch: Math.round(positive('steps', d.stepsPerEpoch)),
      batch: Math.round(positive('batch', d.batch)),
      lr: positive('lr', d.lr),
      weightDecay: optionNumber(args, 'weight-decay', d.weightDecay),
      seed: Math.round(optionNumber(args, 'seed', d.seed)),
      patch: patch.map(Math.round) as [number, number] | [number, number, number],
      deepSupervision: !optionFlag(args, 'no-deep-supervision'),
      worker: !optionFlag(args, 'no-worker'),
      timeBudget: optionNumber(args, 'time-budget', 0),
      postprocess,
      positiveFraction,
      preprocess,
      widths,
      vit: vit as typeof d.vit,
      featureSize: Math.round(positive('feature-size', d.featureSize)),
      tags: optionString(args, 'tags', d.tags)!,
      valEvery: Math.round(positive('val-every', d.valEvery)),
      overlap: optionNumber(args, 'overlap', d.overlap),
      augment: !optionFlag(args, 'no-augment'),
      resume: optionFlag(args, 'resume'),
      force: optionFlag(args, 'force'),
      maxSteps: Math.round(optionNumber(args, 'max-steps', 0)),
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
