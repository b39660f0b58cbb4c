// bench:real — real anatomy, real test patient. Grows a cohort from patient A (abdomen–pelvis CT,
// 3 mm, TotalSegmentator `total` labels), fine-tunes a 2D U-Net on it for at most `--minutes` of wall
// time, segments patient B's DICOM series (a different person, never used before this point) and
// prints per-organ Dice against B's TotalSegmentator map mapped to BTCV's organs. B's labels are a
// model's predictions, not manual ground truth. One JSON line with --json.
//
// With --mr the cohort alternates between patient A and a second real person, the abdominal MR in
// `mr-abdomen` (TotalSegmentator `total_mr` labels) turned into a pseudo-CT (src/cohort/pseudo-ct.ts).
//
//   npm run bench:real -- [--cases 48 | --cohort <dir grown earlier from A>] [--mr] [--minutes 30] [--steps 3000] [--seed 1] [--out /tmp/bench-real] [--json]
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandSpec, parseCommandLine } from '../src/cli/options.js';
import { builtinLabelNames, readLabelNames } from '../src/cohort/label-scheme.js';
import { runAnatomyDemo } from '../src/demo/anatomy-demo.js';
import { sharedData, sharedDataSkip } from '../test/shared-data.js';

const spec = {
  name: 'bench:real',
  positionals: '',
  arity: [0, 0],
  options: [
    { name: 'json', type: 'flag', help: 'one JSON line' },
    { name: 'pretrain', type: 'flag', help: 'pre-train on the cohort first' },
    { name: 'mr', type: 'flag', help: 'grow half the cohort from the abdominal MR (as pseudo-CT)' },
    { name: 'steps', type: 'number', default: 3000, help: 'fine-tuning steps (exactly, with --minutes 0)' },
    { name: 'out', type: 'string', help: 'work folder' },
    { name: 'cases', type: 'number', default: 48, help: 'cases to grow' },
    { name: 'cohort', type: 'string', help: 'reuse a grown cohort' },
    { name: 'seed', type: 'number', default: 1, help: 'seed' },
    {
      name: 'minutes',
      type: 'number',
      default: 30,
      help: 'fine-tuning time budget: the steps are planned to fill it (0: no budget, --steps decide)',
    },
  ],
} as const satisfies CommandSpec;
const line = parseCommandLine(spec, process.argv.slice(2));
const skip = sharedDataSkip();
if (skip) {
  console.error(`bench:real: ${skip}`);
  process.exit(1);
}
const json = line.flag('json');
const names = builtinLabelNames('total');
const steps = line.number('steps') ?? 3000;
const epochs = 10;
const summary = await runAnatomyDemo({
  out: line.string('out') ?? join(tmpdir(), 'mosmos-bench-real'),
  anatomy: [
    {
      image: sharedData('ct-abdomen', 'ct.nii.gz'),
      labels: sharedData('ct-abdomen', 'seg_total_61.nii.gz'),
      names,
    },
    ...(line.flag('mr')
      ? [
          {
            image: sharedData('mr-abdomen', 'mr_small.nii.gz'),
            labels: sharedData('mr-abdomen', 'seg_small_total_mr_23.nii.gz'),
            names: readLabelNames(sharedData('ct-abdomen', 'label_maps.json'), 'total_mr'),
            modality: 'mr' as const,
          },
        ]
      : []),
  ],
  test: {
    image: sharedData('ct-dicom-series', 'series'),
    labels: sharedData('ct-dicom-series', 'seg_total_fast_31.nii.gz'),
    names,
  },
  cases: line.number('cases') ?? 48,
  cohort: line.string('cohort'),
  seed: line.number('seed') ?? 1,
  pretrainEpochs: line.flag('pretrain') ? 4 : 0,
  finetuneEpochs: epochs,
  finetuneSteps: Math.ceil(steps / epochs),
  finetuneMinutes: line.number('minutes') ?? 30,
  spacing: [3, 3, 3],
  patch: 80,
  force: true,
  log: json ? () => {} : undefined,
});
const targets: Record<string, number> = {
  liver: 0.9,
  spleen: 0.8,
  aorta: 0.8,
  stomach: 0.7,
  'inferior vena cava': 0.7,
};
const result = {
  bench: 'real',
  trainedOn: line.flag('mr')
    ? 'cohort from patient A (ct-abdomen) and the mr-abdomen patient as pseudo-CT'
    : 'patient A (ct-abdomen) cohort',
  testedOn: 'patient B (ct-dicom-series), labels = TotalSegmentator predictions mapped to BTCV',
  cases: summary.cases,
  steps: summary.finetune.steps,
  trainMinutes: Number(summary.finetune.minutes.toFixed(2)),
  plannedSteps: summary.finetune.plannedSteps,
  msPerStep: summary.finetune.msPerStep,
  dice: Object.fromEntries(Object.entries(summary.test.dice).map(([k, v]) => [k, Number(v.toFixed(4))])),
  meanDice: Number(summary.test.meanDice.toFixed(4)),
  falsePositiveMl: summary.test.falsePositiveMl,
  targets: { ...targets, mean: 0.65 },
};
if (json) console.log(JSON.stringify(result));
else {
  console.log("\npatient B — Dice per organ (B's labels are TotalSegmentator predictions, not manual truth)");
  for (const [organ, dice] of Object.entries(result.dice)) {
    const target = targets[organ];
    const mark =
      target === undefined
        ? ''
        : dice >= target
          ? `  (target ${target}: met)`
          : `  (target ${target}: not met)`;
    console.log(`  ${organ.padEnd(26)} ${dice.toFixed(3)}${mark}`);
  }
  console.log(`  ${'mean over present organs'.padEnd(26)} ${result.meanDice.toFixed(3)}  (target 0.65)`);
  console.log(`trained ${result.steps} steps in ${result.trainMinutes} min on ${result.cases} grown cases`);
}
