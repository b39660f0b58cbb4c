import { InputError } from '../errors.js';
import { type CommandSpec, readCommandLine } from './options.js';

export const spec = {
  name: 'study',
  positionals: '',
  arity: [0, 0],
  options: [
    {
      name: 'data',
      type: 'string',
      value: '<labelled dataset>',
      required: true,
      help: 'dataset with pixel labels (fine-tuning and evaluation)',
    },
    {
      name: 'pairs',
      type: 'string',
      value: '<pairs.jsonl>',
      required: true,
      help: 'image–report pairs; the pre-training pool is every pair whose case is not evaluated',
    },
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      required: true,
      help: 'study folder (study.json, report.html, one run per cell); run again to continue',
    },
    {
      name: 'labelled',
      type: 'string',
      value: '1,2,5,all',
      default: '1,2,5,all',
      help: 'labelled training cases per cell',
    },
    {
      name: 'seeds',
      type: 'number',
      value: 'N',
      default: 3,
      help: 'seeds 0 … N−1; differences are paired over them',
    },
    {
      name: 'settings',
      type: 'string',
      value: 'a,b,…',
      help: 'a subset of scratch, contrastive, contrastive+mlr, mosmos+maps, scratch+random-maps (default: all)',
    },
    {
      name: 'spacing',
      type: 'string',
      value: 'x,y,z',
      help: 'model grid of both stages in mm (default 1.5,1.5,3)',
    },
    { name: 'patch', type: 'string', value: 'x,y', help: 'patch of both stages (default 64,64)' },
    { name: 'widths', type: 'string', value: 'a,b,…', help: 'U-Net widths (default 16,32,64,128)' },
    {
      name: 'bag-stride',
      type: 'number',
      value: 'mm',
      help: 'axial stride of pre-training bags (default 10)',
    },
    { name: 'pretrain-epochs', type: 'number', value: 'N', help: 'pre-training epochs (default 10)' },
    { name: 'pretrain-batch', type: 'number', value: 'N', help: 'pre-training bags per step (default 8)' },
    { name: 'steps', type: 'number', value: 'N', help: 'fine-tuning steps per cell (default 200)' },
    { name: 'batch', type: 'number', value: 'N', help: 'fine-tuning patches per step (default 8)' },
    { name: 'split-seed', type: 'number', value: 'N', help: 'seed of the evaluation split (default 0)' },
  ],
} as const satisfies CommandSpec;

const list = (value: string) => value.split(',').map((s) => s.trim());

/** \`mosmos study\`. */
export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const data = line.string('data') ?? '';
  const pairs = line.string('pairs') ?? '';
  const out = line.string('out') ?? '';
  const { runStudy, studySettings } = await import('../study/study.js');
  const labelled = list(line.string('labelled') ?? '1,2,5,all').map((v) => {
    if (v === 'all') return 'all' as const;
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0))
      throw new InputError(`--labelled: "${v}" is not a positive integer or "all"`);
    return n;
  });
  const settingsOption = line.string('settings');
  const settings = settingsOption ? list(settingsOption) : undefined;
  for (const s of settings ?? [])
    if (!(studySettings as readonly string[]).includes(s))
      throw new InputError(`--settings: unknown setting "${s}" (known: ${studySettings.join(', ')})`);
  const result = await runStudy({
    data,
    pairs,
    out,
    labelled,
    seeds: Math.round(line.number('seeds') ?? 3),
    settings: settings as (typeof studySettings)[number][] | undefined,
    spacing: line.numbers('spacing', 3) as [number, number, number] | undefined,
    patch: line.numbers('patch', 2) as [number, number] | undefined,
    widths: line.numbers('widths'),
    pretrainEpochs: line.number('pretrain-epochs'),
    pretrainBatch: line.number('pretrain-batch'),
    bagStrideMm: line.number('bag-stride'),
    finetuneSteps: line.number('steps'),
    finetuneBatch: line.number('batch'),
    splitSeed: line.number('split-seed'),
  });
  for (const r of result.rows)
    console.log(
      `${r.setting.padEnd(20)} ${String(r.labelledCases).padStart(4)} labelled: ${r.mean.toFixed(3)} ± ${r.sd.toFixed(3)}` +
        (r.vsScratch
          ? `  vs scratch ${r.vsScratch.mean.toFixed(3)} [${r.vsScratch.ci95.map((v) => v.toFixed(3)).join(', ')}]`
          : '') +
        (r.vsRandomMaps
          ? `  vs random maps ${r.vsRandomMaps.mean.toFixed(3)} [${r.vsRandomMaps.ci95.map((v) => v.toFixed(3)).join(', ')}]`
          : ''),
    );
  console.log(`wrote ${out}/study.json and ${out}/report.html`);
  return 0;
}
