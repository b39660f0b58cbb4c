import { InputError } from '../errors.js';
import { applyEngineOptions, engineOptions } from './engine-options.js';
import { type CommandSpec, readCommandLine } from './options.js';

export const spec = {
  name: 'segment',
  positionals: '<volume | dicom-dir | case-dir> [more channels…]',
  arity: [1, 16],
  options: [
    {
      name: 'model',
      type: 'string',
      value: '<run[,run…]>',
      required: true,
      help: 'a fine-tuning run folder; several, comma-separated, are an ensemble (probabilities averaged)',
    },
    {
      name: 'out',
      type: 'string',
      value: '<seg.nii.gz | seg.dcm>',
      required: true,
      help: 'the label map to write',
    },
    { name: 'overlap', type: 'number', value: 'X', default: 0.5, help: 'sliding-window overlap in [0, 1)' },
    { name: 'tta', type: 'flag', help: 'mirroring test-time augmentation (y and z mirrors averaged)' },
    { name: 'batch', type: 'number', value: 'N', default: 16, help: 'windows per network call' },
    {
      name: 'postprocess',
      type: 'string',
      choices: ['none', 'lcc'],
      help: "lcc: keep each organ's largest 26-connected component, on CT only inside the trunk (default: the model's)",
    },
    { name: 'stats', type: 'string', value: 'stats.json', help: 'per-organ volume (mL) and mean intensity' },
    {
      name: 'output-type',
      type: 'string',
      choices: ['nifti', 'dicom-seg'],
      default: 'nifti',
      help: 'dicom-seg (DICOM input only) references the input series',
    },
    { name: 'series', type: 'string', value: 'UID|number', help: 'which series of a DICOM folder' },
    {
      name: 'frame',
      type: 'number',
      value: 'N',
      help: 'which frame (0-based) of a 4D input to a one-channel model; required for 4D inputs',
    },
    { name: 'force', type: 'flag', help: 'replace existing outputs' },
    ...engineOptions,
  ],
} as const satisfies CommandSpec;

/**
 * `mosmos segment`: whole-volume segmentation on the input's exact grid. A multi-channel model
 * (BraTS) takes one file per channel in its order (`t1.nii.gz t1ce.nii.gz t2.nii.gz flair.nii.gz`),
 * a case folder, or a 4D file.
 */
export async function run(argv: string[]): Promise<number> {
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  applyEngineOptions(line);
  const model = (line.string('model') ?? '').split(',').filter(Boolean);
  if (model.length === 0) throw new InputError('--model needs a run folder');
  const out = line.string('out') ?? '';
  const postprocess = line.string('postprocess') as 'none' | 'lcc' | undefined;
  const outputType = (line.string('output-type') ?? 'nifti') as 'nifti' | 'dicom-seg';
  const overlap = line.number('overlap') ?? 0.5;
  if (!(overlap >= 0 && overlap < 1)) throw new InputError(`--overlap must be in [0, 1), got ${overlap}`);
  const batchSize = Math.round(line.number('batch') ?? 16);
  if (!(batchSize >= 1)) throw new InputError(`--batch must be at least 1, got ${batchSize}`);
  const { segmentFile } = await import('../infer/segment-file.js');
  const started = performance.now();
  const result = await segmentFile(line.positional, model, out, {
    overlap,
    tta: line.flag('tta'),
    batchSize,
    postprocess,
    outputType,
    stats: line.string('stats'),
    series: line.string('series'),
    ...(line.has('frame') ? { frame: line.number('frame') } : {}),
    force: line.flag('force'),
    onProgress: (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rwindows ${done}/${total}\x1b[K`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const counts = new Map<number, number>();
  for (const v of result.labelMap.data) if (v !== 0) counts.set(v, (counts.get(v) ?? 0) + 1);
  const found = [...counts.keys()].sort((a, b) => a - b).map((v) => result.labels[v] ?? String(v));
  console.log(
    `wrote ${result.written.join(', ')} (${result.labelMap.dims.join('×')}, ${found.length} organ(s): ${found.join(', ') || 'none'}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}
