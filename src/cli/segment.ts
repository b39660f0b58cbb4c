import { InputError } from '../errors.js';
import { optionFlag, optionNumber, optionString, parseArgs } from './args.js';

const usage = `usage: mosmos segment <volume.nii.gz | dicom-dir> --model <finetune-run> --out <seg.nii.gz> [options]

  --overlap X (0.5)           sliding-window overlap in [0, 1)
  --tta                       mirroring test-time augmentation (y and z mirrors averaged)
  --batch N (16)              windows per network call
  --postprocess none|lcc      lcc: keep the largest 26-connected component of each organ (default: the model's)
  --stats stats.json          per-organ volume (mL) and mean intensity
  --output-type nifti|dicom-seg   dicom-seg (DICOM input only) references the input series
  --series UID|number         which series of a DICOM folder
  --force                     replace existing outputs`;

/** `mosmos segment`: whole-volume segmentation on the input's exact grid. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['tta', 'force', 'help']);
  if (optionFlag(args, 'help')) {
    console.log(usage);
    return 0;
  }
  const input = args.positional[0];
  const model = optionString(args, 'model');
  const out = optionString(args, 'out');
  if (!input || !model || !out) throw new InputError(`an input, --model and --out are required\n${usage}`);
  if (args.positional.length > 1)
    throw new InputError(`one input expected, got ${args.positional.length}\n${usage}`);
  const postprocess = optionString(args, 'postprocess');
  if (postprocess !== undefined && postprocess !== 'none' && postprocess !== 'lcc')
    throw new InputError(`--postprocess must be none or lcc, got "${postprocess}"`);
  const outputType = optionString(args, 'output-type', 'nifti')!;
  if (outputType !== 'nifti' && outputType !== 'dicom-seg')
    throw new InputError(`--output-type must be nifti or dicom-seg, got "${outputType}"`);
  const overlap = optionNumber(args, 'overlap', 0.5);
  if (!(overlap >= 0 && overlap < 1)) throw new InputError(`--overlap must be in [0, 1), got ${overlap}`);
  const batchSize = Math.round(optionNumber(args, 'batch', 16));
  if (!(batchSize >= 1)) throw new InputError(`--batch must be at least 1, got ${batchSize}`);
  const { segmentFile } = await import('../infer/segment-file.js');
  const started = performance.now();
  const result = await segmentFile(input, model, out, {
    overlap,
    tta: optionFlag(args, 'tta'),
    batchSize,
    postprocess,
    outputType,
    stats: optionString(args, 'stats'),
    series: optionString(args, 'series'),
    force: optionFlag(args, 'force'),
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
