// The recipe's accuracy on the demo's phantom cohort (issue 10 targets): writes the cohort (40 cases,
// seed 7, held-out 0035–0040) or takes --data, fine-tunes with a time budget, segments the held-out
// cases and prints per-organ Dice and the mean as one JSON line. Dice leaves an organ absent from a
// case's ground truth out of that case (MONAI ignore_empty); `lcc` gives the same after keeping each
// organ's largest connected component.
// Run: npm run bench:recipe -- --labelled all|3 --arch unet2d|unet3d|unetr --minutes 20 --seed 0 [--json]
//      [--data <btcv-dir>] [--size 96,96,48] [--spacing 4,4,5] [--patch 96,96] [--batch 8] [--work <dir>]
//      [--pick random|report-coverage] [--self-train F]
// Every held-out case is segmented twice, plain and with mirroring test-time augmentation (`tta`).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDataset } from '../src/data/dataset.js';
import type { LabelledPick } from '../src/data/labelled-pick.js';
import { keepLargestComponents } from '../src/infer/connected-components.js';
import { segmentFile } from '../src/infer/segment-file.js';
import { readNifti } from '../src/io/nifti/index.js';
import { diceScore } from '../src/metrics/dice.js';
import { writePhantomDataset } from '../src/phantom/dataset.js';
import { BTCV_LABEL_NAMES } from '../src/phantom/index.js';
import { finetune } from '../src/train/finetune.js';
import { defaultFinetuneConfig } from '../src/train/finetune-config.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const list = (name: string, fallback: string) => option(name, fallback)!.split(',').map(Number);
const json = argv.includes('--json');
const labelled = option('labelled', 'all')!;
const arch = option('arch', 'unet2d') as 'unet2d' | 'unet3d' | 'unetr';
const minutes = Number(option('minutes', '20'));
const seed = Number(option('seed', '0'));
const pick = option('pick', 'random') as LabelledPick;
const selfTrain = Number(option('self-train', '0'));
const size = list('size', '96,96,48') as [number, number, number];
const spacing = list('spacing', '4,4,5') as [number, number, number];
// UNETR's patch is its ViT's image size (32³ for the tiny preset finetune uses); --patch is ignored there.
const patch = list('patch', arch === 'unet2d' ? '96,96' : arch === 'unet3d' ? '64,64,32' : '32,32,32');
const batch = Number(option('batch', arch === 'unet2d' ? '8' : '2'));
const work = resolve(option('work', join(tmpdir(), 'mosmos-bench-recipe'))!);
const log = (line: string) => {
  if (!json) process.stderr.write(`${line}\n`);
};

let data = option('data');
if (!data) {
  data = join(work, `cohort-${size.join('x')}`);
  if (!existsSync(join(data, 'pairs.jsonl'))) {
    log(`writing the demo's phantom cohort (40 cases, seed 7, ${size.join('×')}) to ${data}`);
    await writePhantomDataset(data, { cases: 40, seed: 7, size, variation: 2.5, force: true });
  }
}
const dataset = openDataset(data, 'btcv');
const train = dataset.cases.filter((c) => c.split === 'train' && c.label).length;
const labelFraction = labelled === 'all' ? 1 : Number(labelled) / train;
const runDir = join(
  work,
  `run-${arch}-${labelled}-${pick}${selfTrain > 0 ? `-self${selfTrain}` : ''}-${minutes}min-seed${seed}`,
);
rmSync(runDir, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const started = performance.now();
const result = await finetune(
  {
    ...defaultFinetuneConfig,
    data,
    format: 'btcv',
    out: runDir,
    arch,
    attentionMaps: false,
    labelFraction,
    labelledPick: pick,
    selfTrain,
    epochs: 100_000,
    stepsPerEpoch: 50,
    timeBudget: minutes,
    // Only the final validation: the budget goes to training (the held-out cases are the bench's).
    valEvery: 100_000,
    batch,
    patch: patch as [number, number] | [number, number, number],
    preprocess: { spacing, intensity: { kind: 'ct', min: -175, max: 250 } },
    seed,
  },
  { log, progressStream: json ? { write: () => true } : undefined },
);
const trainSeconds = (performance.now() - started) / 1000;

const held = dataset.cases.filter((c) => c.split === 'validation');
const organs = Object.keys(BTCV_LABEL_NAMES)
  .map(Number)
  .filter((v) => v > 0);
const sums = {
  plain: new Map<number, number[]>(),
  lcc: new Map<number, number[]>(),
  tta: new Map<number, number[]>(),
};
for (const o of organs) for (const m of Object.values(sums)) m.set(o, []);
const falsePositiveMl: Record<string, number> = {};
for (const item of held) {
  const out = join(runDir, 'predictions', `pred${item.id}.nii.gz`);
  mkdirSync(join(runDir, 'predictions'), { recursive: true });
  await segmentFile(item.images[0]!, runDir, out, { force: true, postprocess: 'none' });
  const pred = await readNifti(out);
  const gt = await readNifti(item.label!);
  const outTta = join(runDir, 'predictions', `pred${item.id}-tta.nii.gz`);
  await segmentFile(item.images[0]!, runDir, outTta, { force: true, postprocess: 'none', tta: true });
  const tta = await readNifti(outTta);
  const dims = pred.dims.slice(0, 3) as [number, number, number];
  const cleaned = keepLargestComponents(Uint8Array.from(pred.data), dims);
  const voxelMl = pred.spacing.slice(0, 3).reduce((a, b) => a * b, 1) / 1000;
  for (const o of organs) {
    let inGt = false;
    for (let i = 0; i < gt.data.length; i++)
      if (gt.data[i] === o) {
        inGt = true;
        break;
      }
    if (!inGt) {
      let fp = 0;
      for (let i = 0; i < pred.data.length; i++) if (pred.data[i] === o) fp++;
      const name = BTCV_LABEL_NAMES[o]!;
      falsePositiveMl[name] = (falsePositiveMl[name] ?? 0) + fp * voxelMl;
      continue;
    }
    sums.plain.get(o)!.push(diceScore(pred.data, gt.data, o));
    sums.lcc.get(o)!.push(diceScore(cleaned, gt.data, o));
    sums.tta.get(o)!.push(diceScore(tta.data, gt.data, o));
  }
}
const summarise = (m: Map<number, number[]>) => {
  const perOrgan: Record<string, number> = {};
  for (const [o, values] of m)
    if (values.length > 0)
      perOrgan[BTCV_LABEL_NAMES[o]!] = Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(4));
  const values = Object.values(perOrgan);
  return { mean: Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(4)), perOrgan };
};
const plain = summarise(sums.plain);
const lcc = summarise(sums.lcc);
const withTta = summarise(sums.tta);
const line = {
  bench: 'recipe',
  arch,
  labelled,
  pick,
  selfTrain,
  trainCases: Math.max(1, Math.round(train * labelFraction)),
  minutes,
  seed,
  size,
  spacing,
  patch,
  batch,
  steps: result.plannedSteps,
  msPerStep: result.msPerStep === null ? null : Math.round(result.msPerStep),
  trainSeconds: Math.round(trainSeconds),
  meanDice: plain.mean,
  meanDiceLcc: lcc.mean,
  meanDiceTta: withTta.mean,
  perOrgan: plain.perOrgan,
  perOrganLcc: lcc.perOrgan,
  perOrganTta: withTta.perOrgan,
  trainIds: result.splits.train,
  falsePositiveMl,
};
if (json) console.log(JSON.stringify(line));
else {
  console.log(JSON.stringify(line, null, 1));
}
