import { InputError } from '../errors.js';
import { optionFlag, optionNumber, optionString, parseArgs } from './args.js';

const usage = `usage: mosmos study --data <labelled dataset> --pairs <pairs.jsonl> --out <dir> [options]

The seeded label-efficiency study: settings scratch, contrastive, contrastive+mlr, mosmos+maps and
scratch+random-maps × labelled cases × seeds, on one fixed evaluation split; the pre-training pool is
every pair whose case is not evaluated. Writes study.json and report.html; run it again to continue.

options:
  --labelled 1,2,5,all (1,2,5,all)   labelled training cases per cell
  --seeds N (3)                      seeds 0 … N−1; differences are paired over them
  --settings a,b,…                   a subset of the five settings (default: all)
  --spacing x,y,z mm (1.5,1.5,3)     model grid of both stages   --patch x,y (64,64)
  --widths 16,32,64,128              U-Net widths                --bag-stride mm (10)
  --pretrain-epochs N (10)  --pretrain-batch N (8)  --steps N fine-tuning steps per cell (200)
  --batch N fine-tuning patches per step (8)  --split-seed N (0)`;

const list = (value: string) => value.split(',').map((s) => s.trim());

/** \`mosmos study\`. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['help']);
  if (optionFlag(args, 'help')) {
    console.log(usage);
    return 0;
  }
  const data = optionString(args, 'data');
  const pairs = optionString(args, 'pairs');
  const out = optionString(args, 'out');
  if (!data || !pairs || !out) throw new InputError(`--data, --pairs and --out are required\n${usage}`);
  const { runStudy, studySettings } = await import('../study/study.js');
  const labelled = list(optionString(args, 'labelled', '1,2,5,all')!).map((v) => {
    if (v === 'all') return 'all' as const;
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0))
      throw new InputError(`--labelled: "${v}" is not a positive integer or "all"`);
    return n;
  });
  const settingsOption = optionString(args, 'settings');
  const settings = settingsOption ? list(settingsOption) : undefined;
  for (const s of settings ?? [])
    if (!(studySettings as readonly string[]).includes(s))
      throw new InputError(`--settings: unknown setting "${s}" (known: ${studySettings.join(', ')})`);
  const numbers = (name: string, count?: number) => {
    const v = optionString(args, name);
    if (v === undefined) return undefined;
    const parts = list(v).map(Number);
    if ((count !== undefined && parts.length !== count) || parts.some((p) => !(p > 0)))
      throw new InputError(`--${name}: expected ${count ?? 'some'} positive numbers, got "${v}"`);
    return parts;
  };
  const result = await runStudy({
    data,
    pairs,
    out,
    labelled,
    seeds: Math.round(optionNumber(args, 'seeds', 3)),
    settings: settings as (typeof studySettings)[number][] | undefined,
    spacing: numbers('spacing', 3) as [number, number, number] | undefined,
    patch: numbers('patch', 2) as [number, number] | undefined,
    widths: numbers('widths'),
    pretrainEpochs: optionString(args, 'pretrain-epochs')
      ? optionNumber(args, 'pretrain-epochs', 10)
      : undefined,
    pretrainBatch: optionString(args, 'pretrain-batch') ? optionNumber(args, 'pretrain-batch', 8) : undefined,
    bagStrideMm: optionString(args, 'bag-stride') ? optionNumber(args, 'bag-stride', 10) : undefined,
    finetuneSteps: optionString(args, 'steps') ? optionNumber(args, 'steps', 200) : undefined,
    finetuneBatch: optionString(args, 'batch') ? optionNumber(args, 'batch', 8) : undefined,
    splitSeed: optionString(args, 'split-seed') ? optionNumber(args, 'split-seed', 0) : undefined,
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
