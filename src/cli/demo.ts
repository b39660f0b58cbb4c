/**
 * `mosmos demo`: the embedded synthetic abdomen end to end (default), or with `--anatomy …` the same
 * story on a cohort grown from a labelled real CT, judged on a different patient (`--test-image`).
 */
import { fullDemoPlan, quickDemoPlan } from '../demo/demo-plan.js';
import { InputError } from '../errors.js';
import { labelledScans, labelNames } from './labelled-scans.js';
import { type CommandLine, type CommandSpec, readCommandLine, usageText } from './options.js';

export const spec = {
  name: 'demo',
  positionals: '',
  arity: [0, 0],
  options: [
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      help: 'output folder (default demo-output, or demo-anatomy with --anatomy)',
    },
    { name: 'quick', type: 'flag', help: 'the small version CI runs (about 3 minutes)' },
    {
      name: 'seed',
      type: 'number',
      value: 'N',
      help: `seed (default ${fullDemoPlan.seed}, or 1 with --anatomy)`,
    },
    { name: 'force', type: 'flag', help: 'replace an existing output folder' },
    {
      name: 'anatomy',
      type: 'string',
      value: '<ct>[,…]',
      help: 'real-anatomy demo: grow the cohort from this labelled CT (or several scans, comma-separated)',
    },
    {
      name: 'anatomy-labels',
      type: 'string',
      value: '<labels>[,…]',
      help: 'its label map, one per scan (with --anatomy)',
    },
    {
      name: 'anatomy-names',
      type: 'string',
      value: 'names.json[,…]',
      help: 'names of its labels (default: --scheme)',
    },
    {
      name: 'anatomy-scheme',
      type: 'string',
      value: 'total[,…]',
      help: 'label scheme of each anatomy scan (default: --scheme)',
    },
    {
      name: 'anatomy-modality',
      type: 'string',
      value: 'ct|mr[,…]',
      default: 'ct',
      help: 'what each anatomy scan is: an MR becomes a pseudo-CT (bright-fat sequences only)',
    },
    {
      name: 'test-image',
      type: 'string',
      value: '<nifti | dicom-dir>',
      help: 'the different patient to segment and judge (with --anatomy)',
    },
    { name: 'test-labels', type: 'string', value: '<labels>', help: "the test patient's label map" },
    {
      name: 'test-names',
      type: 'string',
      value: 'names.json',
      help: "names of the test patient's labels (default: --scheme)",
    },
    {
      name: 'scheme',
      type: 'string',
      value: 'total',
      default: 'total',
      help: 'label scheme of both label maps when no names file is given',
    },
    { name: 'cases', type: 'number', value: 'N', default: 40, help: 'cases to grow (with --anatomy)' },
    {
      name: 'cohort',
      type: 'string',
      value: '<dir>',
      help: 'reuse a cohort written by mosmos cohort instead of growing one',
    },
    {
      name: 'pretrain-epochs',
      type: 'number',
      value: 'N',
      default: 4,
      help: 'report pre-training epochs on the cohort (0: none)',
    },
    {
      name: 'minutes',
      type: 'number',
      value: 'MIN',
      default: 20,
      help: 'fine-tuning time budget (with --anatomy)',
    },
    {
      name: 'steps',
      type: 'number',
      value: 'N',
      default: 1500,
      help: 'fine-tuning steps at most (with --anatomy)',
    },
  ],
} as const satisfies CommandSpec;

type DemoLine = CommandLine<(typeof spec.options)[number]['name']>;

/** The real-anatomy story: a cohort grown from labelled real scans, judged on a different patient. */
async function runAnatomy(line: DemoLine): Promise<number> {
  const image = line.string('anatomy');
  const labels = line.string('anatomy-labels');
  const testImage = line.string('test-image');
  const testLabels = line.string('test-labels');
  if (!image || !labels || !testImage || !testLabels)
    throw new InputError(
      `--anatomy, --anatomy-labels, --test-image and --test-labels go together\n${usageText(spec)}`,
    );
  const scheme = line.string('scheme') ?? 'total';
  const anatomy = labelledScans(
    {
      images: image,
      labels,
      names: line.string('anatomy-names'),
      scheme: line.string('anatomy-scheme'),
      modality: line.string('anatomy-modality'),
    },
    {
      labels: 'anatomy-labels',
      names: 'anatomy-names',
      scheme: 'anatomy-scheme',
      modality: 'anatomy-modality',
    },
    'anatomy scans',
    scheme,
  );
  const steps = line.number('steps') ?? 1500;
  const epochs = 10;
  const { runAnatomyDemo } = await import('../demo/anatomy-demo.js');
  const summary = await runAnatomyDemo({
    out: line.string('out') ?? 'demo-anatomy',
    anatomy,
    test: {
      image: testImage,
      labels: testLabels,
      names: labelNames(line.string('test-names'), scheme),
    },
    cases: line.number('cases') ?? 40,
    cohort: line.string('cohort'),
    seed: line.number('seed') ?? 1,
    pretrainEpochs: line.number('pretrain-epochs') ?? 4,
    finetuneEpochs: epochs,
    finetuneSteps: Math.max(1, Math.round(steps / epochs)),
    finetuneMinutes: line.number('minutes') ?? 20,
    // 3 mm × 80 px sees 24 cm of abdomen per patch: on 2 shared cores, context per pixel is what pays.
    spacing: [3, 3, 3],
    patch: 80,
    force: line.flag('force'),
  });
  console.log(
    `\ntest patient ${summary.test.image} (its labels are another model's predictions, mapped to BTCV):`,
  );
  for (const [organ, dice] of Object.entries(summary.test.dice))
    console.log(`  ${organ.padEnd(26)} Dice ${dice.toFixed(3)}`);
  console.log(`  ${'mean (organs present)'.padEnd(26)} Dice ${summary.test.meanDice.toFixed(3)}`);
  console.log(
    `trained ${summary.finetune.steps} steps in ${summary.finetune.minutes.toFixed(1)} min on ${summary.cases} cases grown from ${anatomy.length === 1 ? 'one patient' : `${anatomy.length} scans`}; ` +
      `prediction ${summary.test.prediction}${summary.test.dicomSeg ? ` and ${summary.test.dicomSeg}` : ''}`,
  );
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  if (line.has('anatomy')) return runAnatomy(line);
  const base = line.flag('quick') ? quickDemoPlan : fullDemoPlan;
  const plan = { ...base, seed: line.number('seed') ?? base.seed };
  const out = line.string('out') ?? 'demo-output';
  // A rerun of the default demo replaces its own previous output; any other folder needs --force.
  const force = line.flag('force') || !line.has('out');
  const { runDemo } = await import('../demo/run-demo.js');
  const summary = await runDemo({ out, plan, force });
  console.log('\nsetting                          mean Dice');
  for (const row of summary.ablation) {
    const name = `${row.init}${row.attentionMaps ? ' + attention maps' : ''}`;
    console.log(`${name.padEnd(32)} ${row.meanDice.toFixed(3)}`);
  }
  const id = summary.validationCases[0];
  console.log(`\nfinished in ${summary.seconds.toFixed(0)} s; open ${out}/report.html`);
  if (id !== undefined) {
    console.log(
      `look at a held-out case in the browser:\n  mosmos view ${out}/data/img/img${id}.nii.gz ` +
        `--seg ${out}/predictions/mosmos/pred${id}.nii.gz --attention ${out}/attention/case${id}`,
    );
  }
  return 0;
}
