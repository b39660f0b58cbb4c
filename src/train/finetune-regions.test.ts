import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { tempDir } from '../../test/fixtures-datasets.js';
import { run as finetuneCommand } from '../cli/finetune.js';
import { run as segmentCommand } from '../cli/segment.js';
import { InputError } from '../errors.js';
import { segmentFile } from '../infer/segment-file.js';
import { readNifti, writeNifti } from '../io/nifti/index.js';
import { diceScore } from '../metrics/index.js';
import type { Volume } from '../volume/volume.js';

const root = tempDir('mosmos-brats-');
after(() => rmSync(root, { recursive: true, force: true }));

const MODALITIES = ['t1', 't1ce', 't2', 'flair'] as const;

/**
 * BraTS-layout cases on an LPS grid (as BraTS files are): a brain of soft noise with a tumour column
 * whose nested parts are visible only in the later channels. t1 shows nothing of the tumour, so a
 * network reading only the first channel cannot find it: t1ce lights the enhancing shell (label 4),
 * t2 the whole tumour (1, 2, 4), flair the core (1, 4). Necrosis (1) inside, oedema (2) around.
 */
async function writeBratsCase(dir: string, id: string, seed: number): Promise<void> {
  const [nx, ny, nz] = [24, 24, 4];
  const n = nx * ny * nz;
  const channels = MODALITIES.map(() => new Int16Array(n));
  const label = new Uint8Array(n);
  const cx = 9 + (seed % 5);
  const cy = 10 + ((seed * 3) % 4);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = (z * ny + y) * nx + x;
        if (x < 1 || y < 1 || x >= nx - 1 || y >= ny - 1) continue; // zero outside the brain
        const noise = (c: number) => ((i * 7919 + seed * 104729 + c * 31) % 21) - 10;
        const r = Math.hypot(x - cx, y - cy);
        const l = r <= 1.5 ? 1 : r <= 3 ? 4 : r <= 5 ? 2 : 0;
        label[i] = l;
        channels[0]![i] = 300 + noise(0);
        channels[1]![i] = (l === 4 ? 700 : 300) + noise(1);
        channels[2]![i] = (l !== 0 ? 700 : 300) + noise(2);
        channels[3]![i] = (l === 1 || l === 4 ? 700 : 300) + noise(3);
      }
  const affine = [
    [-4, 0, 0, 48],
    [0, -4, 0, 48],
    [0, 0, 5, 0],
    [0, 0, 0, 1],
  ];
  const base = { dims: [nx, ny, nz], spacing: [4, 4, 5] as [number, number, number], affine };
  mkdirSync(join(dir, id), { recursive: true });
  for (const [c, m] of MODALITIES.entries())
    await writeNifti(join(dir, id, `${id}_${m}.nii.gz`), {
      ...base,
      data: channels[c]!,
      datatype: 'int16',
    } as Volume);
  await writeNifti(join(dir, id, `${id}_seg.nii.gz`), { ...base, data: label, datatype: 'uint8' } as Volume);
}

async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = mock.method(console, 'log', () => {});
  const err = mock.method(console, 'error', () => {});
  try {
    return await work();
  } finally {
    log.mock.restore();
    err.mock.restore();
  }
}

/** Dice of a BraTS region (label values it unites) between two label maps. */
function regionDice(pred: ArrayLike<number>, truth: ArrayLike<number>, labels: number[]): number {
  const inRegion = (a: ArrayLike<number>) => Uint8Array.from(a, (v) => (labels.includes(v) ? 1 : 0));
  return diceScore(inRegion(pred), inRegion(truth));
}

test('BraTS: finetune trains 4 channels as WT/TC/ET sigmoid regions and segment writes BraTS labels on the input grid', async () => {
  const data = join(root, 'data');
  for (let c = 0; c < 6; c++) await writeBratsCase(data, `BraTS2021_0000${c}`, c);
  const run = join(root, 'run');
  const argv = ['--data', data, '--out', run, '--patch', '16,16', '--widths', '8,16', '--batch', '8'];
  const options = ['--epochs', '3', '--steps', '10', '--val-every', '1', '--lr', '0.01', '--no-worker'];
  assert.equal(await quietly(() => finetuneCommand([...argv, ...options])), 0);

  const model = JSON.parse(readFileSync(join(run, 'model.json'), 'utf8'));
  assert.equal(model.network.inChannels, 4);
  assert.deepEqual(model.channels, [...MODALITIES]);
  assert.deepEqual(
    model.regions.map((r: { labels: number[] }) => r.labels),
    [[4], [1, 4], [1, 2, 4]],
  );
  assert.equal(model.network.classes, 3, 'one sigmoid output per region');
  assert.equal(model.postprocess, 'none');
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const steps = metrics.filter((m) => m.type === 'step');
  assert.ok(
    steps.every((m) => typeof m.bce === 'number' && m.ce === undefined),
    'the region loss, not CE',
  );
  const validation = metrics.filter((m) => m.type === 'validation').at(-1);
  assert.deepEqual(Object.keys(validation.perOrgan).sort(), [
    'enhancing tumour',
    'tumour core',
    'whole tumour',
  ]);

  // A held-out case, given as its case folder and as four files in channel order: the same labels.
  const splits = JSON.parse(readFileSync(join(run, 'splits.json'), 'utf8'));
  const id = splits.validation[0] as string;
  const caseDir = join(data, id);
  const fromFolder = join(root, 'seg-folder.nii.gz');
  await segmentFile(caseDir, run, fromFolder);
  const files = MODALITIES.map((m) => join(caseDir, `${id}_${m}.nii.gz`));
  const fromFiles = join(root, 'seg-files.nii.gz');
  await quietly(() => segmentCommand([...files, '--model', run, '--out', fromFiles]));
  const seg = await readNifti(fromFolder);
  assert.deepEqual((await readNifti(fromFiles)).data, seg.data);
  const truth = await readNifti(join(caseDir, `${id}_seg.nii.gz`));
  assert.deepEqual(seg.dims, truth.dims);
  assert.deepEqual(seg.affine, truth.affine);
  assert.ok(
    seg.data.every((v) => v === 0 || v === 1 || v === 2 || v === 4),
    'BraTS labels only',
  );
  // The tumour is invisible in t1: these Dice need the other channels.
  const wt = regionDice(seg.data, truth.data, [1, 2, 4]);
  const tc = regionDice(seg.data, truth.data, [1, 4]);
  const et = regionDice(seg.data, truth.data, [4]);
  assert.ok(
    wt > 0.7 && tc > 0.6 && et > 0.6,
    `WT ${wt.toFixed(3)}, TC ${tc.toFixed(3)}, ET ${et.toFixed(3)}`,
  );

  // Input that does not fit the model's four channels is a one-line error saying how to give it.
  await assert.rejects(
    segmentFile(files.slice(0, 2), run, join(root, 'two.nii.gz')),
    (e: unknown) => e instanceof InputError && /takes 4 channels \(t1, t1ce, t2, flair\)/.test(e.message),
  );
});
