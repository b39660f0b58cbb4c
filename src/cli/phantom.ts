import { InputError } from '../errors.js';
import { type CommandSpec, readCommandLine } from './options.js';

/**
 * The default grid: 128×128×64 voxels over the phantom's 360–480 mm field of view and 235–270 mm
 * length, i.e. about 3.3 × 3.3 × 3.7 mm. Measured on 8 cases (seeds 1000–1007, variation 2.5): an
 * adrenal gland is 75–177 voxels here against 36–78 on the demo's 96×96×48 grid (≈ 4.5 × 4.5 × 5 mm,
 * an adrenal 1–2 voxels thick in-plane), the portal/splenic vein 496–715 against 207–305. Finer
 * still (160×160×64: adrenals 125–284) costs 1.6× the voxels per slice for every step and every
 * sliding window on 2 cores; 128 is the smallest grid where an adrenal is 3+ voxels across.
 */
export const PHANTOM_DEFAULT_SIZE: [number, number, number] = [128, 128, 64];

export const spec = {
  name: 'phantom',
  positionals: '',
  arity: [0, 0],
  options: [
    {
      name: 'cases',
      type: 'number',
      value: 'N',
      required: true,
      help: 'number of cases (BTCV ids from 0001)',
    },
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      required: true,
      help: 'dataset folder to write (img/, label/, pairs.jsonl)',
    },
    { name: 'seed', type: 'number', value: 'N', default: 7, help: 'seed of the anatomy and the reports' },
    {
      name: 'size',
      type: 'string',
      value: 'x,y,z',
      default: PHANTOM_DEFAULT_SIZE.join(','),
      help: 'voxels per case (the demo uses 96,96,48)',
    },
    {
      name: 'variation',
      type: 'number',
      value: 'X',
      default: 2.5,
      help: 'scale of the anatomical variation and post-surgical findings',
    },
    {
      name: 'orientation',
      type: 'string',
      choices: ['RAS', 'LPS'],
      default: 'RAS',
      help: 'stored axis order',
    },
    {
      name: 'scan-range',
      type: 'string',
      choices: ['full', 'vary'],
      default: 'full',
      help: 'full: every case covers the whole abdomen; vary: chest, upper-abdomen, lower and whole ranges, so organs leave the view',
    },
    { name: 'force', type: 'flag', help: 'replace an existing folder' },
  ],
} as const satisfies CommandSpec;

/** \`mosmos phantom\`: the demo's synthetic cohort on disk. */
export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const out = line.string('out') ?? '';
  const casesOption = line.string('cases') ?? '';
  const cases = Number(casesOption);
  if (!Number.isInteger(cases) || cases < 1 || cases > 9999)
    throw new InputError(`--cases must be an integer from 1 to 9999, got "${casesOption}"`);
  const sizeOption = line.string('size');
  let size = PHANTOM_DEFAULT_SIZE;
  if (sizeOption !== undefined) {
    const parts = sizeOption.split(',').map(Number);
    if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 8 || p > 1024))
      throw new InputError(`--size must be three integers from 8 to 1024 (x,y,z), got "${sizeOption}"`);
    size = parts as [number, number, number];
  }
  const orientation = line.string('orientation') ?? 'RAS';
  if (orientation !== 'RAS' && orientation !== 'LPS')
    throw new InputError(`--orientation must be RAS or LPS, got "${orientation}"`);
  const variation = line.number('variation') ?? 2.5;
  if (!(variation >= 0)) throw new InputError(`--variation must be ≥ 0, got ${variation}`);
  const scanRange = line.string('scan-range') ?? 'full';
  if (scanRange !== 'full' && scanRange !== 'vary')
    throw new InputError(`--scan-range must be full or vary, got "${scanRange}"`);
  const { writePhantomDataset } = await import('../phantom/dataset.js');
  const dataset = await writePhantomDataset(out, {
    cases,
    seed: Math.round(line.number('seed') ?? 7),
    size,
    orientation,
    variation,
    scanRange,
    force: line.flag('force'),
    onCase: (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rwriting case ${done}/${total}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(
    `wrote ${dataset.cases.length} cases (${size.join('×')} voxels) to ${dataset.root}; reports in ${dataset.pairs}`,
  );
  // So a user sees how often each organ is missing: an organ in every case gives report pre-training
  // no target that depends on where it is.
  const absent = Object.entries(dataset.absentCases).map(([organ, n]) => `${organ} ${n}`);
  console.log(`cases without each organ (of ${dataset.cases.length}): ${absent.join(', ')}`);
  return 0;
}
