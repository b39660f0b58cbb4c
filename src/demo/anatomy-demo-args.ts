// The command line of `mosmos demo --anatomy …`: the real-anatomy story's options and its printed
// figures, kept apart from the phantom demo's so that either can change alone.
import { optionFlag, optionNumber, optionString, type ParsedArgs } from '../cli/args.js';
import { builtinLabelNames, type LabelNames, readLabelNames } from '../cohort/label-scheme.js';
import { InputError } from '../errors.js';
import { type AnatomyDemoOptions, runAnatomyDemo } from './anatomy-demo.js';

export const anatomyDemoUsage =
  'usage: mosmos demo --anatomy <ct> --anatomy-labels <labels> [--anatomy-names names.json] ' +
  '--test-image <nifti | dicom-dir> --test-labels <labels> [--test-names names.json] [--scheme total] ' +
  '[--cases 40 | --cohort <dir>] [--pretrain-epochs 4] [--minutes 20] [--steps 1500] [--seed 1] [--out demo-anatomy] [--force]';

function names(args: ParsedArgs, option: string): LabelNames {
  const file = optionString(args, option);
  const scheme = optionString(args, 'scheme');
  return file ? readLabelNames(file, scheme ?? 'total') : builtinLabelNames(scheme ?? 'total');
}

/** Options of the real-anatomy demo from parsed arguments. */
export function anatomyDemoOptions(args: ParsedArgs): AnatomyDemoOptions {
  const image = optionString(args, 'anatomy');
  const labels = optionString(args, 'anatomy-labels');
  const testImage = optionString(args, 'test-image');
  const testLabels = optionString(args, 'test-labels');
  if (!image || !labels || !testImage || !testLabels)
    throw new InputError(
      `demo: --anatomy, --anatomy-labels, --test-image and --test-labels go together\n${anatomyDemoUsage}`,
    );
  const steps = optionNumber(args, 'steps', 1500);
  const epochs = 10;
  return {
    out: optionString(args, 'out', 'demo-anatomy')!,
    anatomy: { image, labels, names: names(args, 'anatomy-names') },
    test: { image: testImage, labels: testLabels, names: names(args, 'test-names') },
    cases: optionNumber(args, 'cases', 40),
    cohort: optionString(args, 'cohort'),
    seed: optionNumber(args, 'seed', 1),
    pretrainEpochs: optionNumber(args, 'pretrain-epochs', 4),
    finetuneEpochs: epochs,
    finetuneSteps: Math.max(1, Math.round(steps / epochs)),
    finetuneMinutes: optionNumber(args, 'minutes', 20),
    // 3 mm × 80 px sees 24 cm of abdomen per patch: on 2 shared cores, context per pixel is what pays.
    spacing: [3, 3, 3],
    patch: 80,
    force: optionFlag(args, 'force'),
  };
}

/** Runs the real-anatomy demo and prints its per-organ figures on the test patient. */
export async function runAnatomyDemoCommand(args: ParsedArgs): Promise<number> {
  const summary = await runAnatomyDemo(anatomyDemoOptions(args));
  console.log(
    `\ntest patient ${summary.test.image} (its labels are another model's predictions, mapped to BTCV):`,
  );
  for (const [organ, dice] of Object.entries(summary.test.dice))
    console.log(`  ${organ.padEnd(26)} Dice ${dice.toFixed(3)}`);
  console.log(`  ${'mean (organs present)'.padEnd(26)} Dice ${summary.test.meanDice.toFixed(3)}`);
  console.log(
    `trained ${summary.finetune.steps} steps in ${summary.finetune.minutes.toFixed(1)} min on ${summary.cases} cases grown from one patient; ` +
      `prediction ${summary.test.prediction}${summary.test.dicomSeg ? ` and ${summary.test.dicomSeg}` : ''}`,
  );
  return 0;
}
