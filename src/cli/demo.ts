import { anatomyDemoUsage, runAnatomyDemoCommand } from '../demo/anatomy-demo-args.js';
import { fullDemoPlan, quickDemoPlan } from '../demo/demo-plan.js';
import { runDemo } from '../demo/run-demo.js';
import { optionFlag, optionNumber, optionString, parseArgs } from './args.js';

/** `mosmos demo [--out demo-output] [--quick] [--seed N] [--force]` */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['quick', 'force', 'help']);
  if (optionFlag(args, 'help')) {
    console.log('usage: mosmos demo [--out demo-output] [--quick] [--seed N] [--force]');
    console.log(`       ${anatomyDemoUsage.replace('usage: ', '')}`);
    return 0;
  }
  // Real anatomy: a cohort grown from a labelled CT, judged on a different patient.
  if (args.options.has('anatomy')) return runAnatomyDemoCommand(args);
  const base = optionFlag(args, 'quick') ? quickDemoPlan : fullDemoPlan;
  const plan = { ...base, seed: optionNumber(args, 'seed', base.seed) };
  const out = optionString(args, 'out', 'demo-output')!;
  // A rerun of the default demo replaces its own previous output; any other folder needs --force.
  const force = optionFlag(args, 'force') || !args.options.has('out');
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
