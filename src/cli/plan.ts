/**
 * `mosmos plan --data <dir> [--format …] [--modality ct|mr] --out plans.json`: fingerprints a dataset
 * and writes an nnU-Net-style experiment plan (target spacing, patch, batch, depth, normalisation per
 * channel, channels, classes or regions) with its fingerprint inside. `finetune` and `pretrain` read
 * it with --plan, or plan the same way themselves when no plan is given.
 */
import { openDataset, parseDatasetFormat } from '../data/dataset.js';
import { extractFingerprint } from '../data/fingerprint.js';
import type { ExperimentPlan, PlanConfiguration } from '../data/plan.js';
import { planExperiment } from '../data/plan.js';
import { writePlan } from '../data/resolve-plan.js';
import { assertWritable } from '../files/atomic-write.js';
import { type CommandSpec, readCommandLine } from './options.js';

export const spec = {
  name: 'plan',
  positionals: '',
  arity: [0, 0],
  options: [
    { name: 'data', type: 'string', value: 'DIR', required: true, help: 'dataset folder' },
    {
      name: 'format',
      type: 'string',
      choices: ['btcv', 'amos', 'mmwhs', 'brats', 'msd'],
      help: 'dataset layout (detected when omitted)',
    },
    {
      name: 'modality',
      type: 'string',
      choices: ['ct', 'mr'],
      help: 'plan the CT or MR cases (AMOS, MM-WHS)',
    },
    { name: 'out', type: 'string', value: 'plans.json', required: true, help: 'where to write the plan' },
    {
      name: 'voxel-budget-2d',
      type: 'number',
      value: 'N',
      default: 73728,
      help: 'voxels per 2D step (batch × patch), the memory budget',
    },
    {
      name: 'voxel-budget-3d',
      type: 'number',
      value: 'N',
      default: 262144,
      help: 'voxels per 3D step (batch × patch), the memory budget',
    },
    {
      name: 'seed',
      type: 'number',
      value: 'N',
      default: 1234,
      help: 'seed of the foreground intensity sample',
    },
    { name: 'json', type: 'flag', help: 'print the plan as JSON' },
    { name: 'force', type: 'flag', help: 'overwrite --out' },
  ],
} as const satisfies CommandSpec;

function configurationLine(name: string, c: PlanConfiguration): string {
  return `${name.padEnd(10)} patch ${c.patch.join('×')}  batch ${c.batch}  stages ${c.stages} (widths ${c.widths.join(', ')})  median shape ${c.medianShape.join('×')}`;
}

/** A short human-readable summary of a plan. */
export function formatPlan(plan: ExperimentPlan): string {
  const fp = plan.dataset_fingerprint;
  const norm = plan.normalization.map((n, c) => {
    const name = plan.channels[c];
    if (n.kind === 'ct-zscore')
      return `${name}: clip ${n.low.toFixed(1)}…${n.high.toFixed(1)}, z-score mean ${n.mean.toFixed(1)} sd ${n.sd.toFixed(1)} (CT foreground)`;
    return `${name}: ${n.kind === 'zscore' ? 'per-image z-score over nonzero voxels' : n.kind}`;
  });
  const output =
    plan.output.kind === 'regions'
      ? `regions (sigmoid): ${plan.output.regions.map((r) => `${r.name} = {${r.labels}}`).join(', ')}`
      : `classes (softmax): ${Object.keys(plan.output.labels).length} including background`;
  return [
    `${fp.cases.length} labelled case(s), ${fp.format}, channels ${plan.channels.join(', ')}`,
    `target spacing ${plan.spacing.map((s) => Number(s.toFixed(4))).join(' × ')} mm (RAS x, y, z)`,
    ...Object.entries(plan.configurations).map(([name, c]) => configurationLine(name, c!)),
    ...norm.map((n) => `normalise  ${n}`),
    `output     ${output}`,
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const out = line.string('out')!;
  const force = line.flag('force');
  assertWritable(out, { force });
  const formatName = line.string('format');
  const dataset = openDataset(
    line.string('data')!,
    formatName === undefined ? undefined : parseDatasetFormat(formatName),
  );
  const json = line.flag('json');
  const progress = !json && process.stderr.isTTY;
  const fingerprint = await extractFingerprint(dataset, {
    modality: line.string('modality'),
    seed: line.number('seed'),
    onCase: progress
      ? (i, n, id) => process.stderr.write(`\rfingerprinting ${i + 1}/${n} ${id}\u001b[K`)
      : undefined,
  });
  if (progress) process.stderr.write('\r\u001b[K');
  const plan = planExperiment(fingerprint, {
    voxelBudget2d: line.number('voxel-budget-2d'),
    voxelBudget3d: line.number('voxel-budget-3d'),
  });
  writePlan(out, plan, { force });
  console.log(json ? JSON.stringify(plan, null, 2) : `${formatPlan(plan)}\nwrote ${out}`);
  return 0;
}
