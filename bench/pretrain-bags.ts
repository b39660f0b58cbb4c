// `node --import tsx bench/pretrain-bags.ts [--cases N] [--spacing x,y,z] [--patch x,y] [--stride mm] [--size x,y,z]`:
// how often a pre-training bag misses an organ that the case's report says is present, for the old
// bag (4 stratified random slices) and the whole-volume bag (every slice at a stride, tiled in-plane),
// on a generated phantom cohort. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataset } from '../src/data/dataset.js';
import { sliceIndices } from '../src/data/slice-sampler.js';
import { Rng } from '../src/engine/index.js';
import { writePhantomDataset } from '../src/phantom/dataset.js';
import { BTCV_LABEL_NAMES } from '../src/phantom/index.js';
import { loadLabelledCase } from '../src/train/finetune-data.js';
import { bagInstances, bagTouches, bodyBox, sliceStride } from '../src/train/pretrain-bag.js';

const arg = (name: string, fallback: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : fallback;
const cases = Number(arg('cases', '24'));
const size = arg('size', '64,64,32').split(',').map(Number) as [number, number, number];
const spacing = arg('spacing', '6,6,8').split(',').map(Number) as [number, number, number];
const patch = arg('patch', '64,64').split(',').map(Number);
const strideMm = Number(arg('stride', '10'));
const draws = 5;

const dir = mkdtempSync(join(tmpdir(), 'mosmos-bags-'));
try {
  const phantom = await writePhantomDataset(join(dir, 'data'), { cases, seed: 7, size, variation: 2.5 });
  const dataset = openDataset(phantom.root, 'btcv');
  const settings = { patch, stride: sliceStride(strideMm, spacing[2]) };
  const counts = new Map<string, { present: number; oldMiss: number; newMiss: number }>();
  let instances = 0;
  for (const [i, item] of dataset.cases.entries()) {
    const pair = phantom.cases[i]!;
    const v = await loadLabelledCase(
      dataset,
      item,
      { spacing, intensity: { kind: 'ct', min: -175, max: 250 } },
      14,
    );
    const [nx, ny, nz] = v.dims;
    const box = bodyBox(v.image, v.dims);
    for (const [value, organ] of Object.entries(BTCV_LABEL_NAMES)) {
      const status = pair.tags[organ];
      if (status !== 'present' && status !== 'abnormal') continue;
      const c = counts.get(organ) ?? { present: 0, oldMiss: 0, newMiss: 0 };
      const inside = (j: number) => v.label[j] === Number(value);
      for (let d = 0; d < draws; d++) {
        const rng = new Rng(1000 * i + d);
        // The old bag: 4 stratified random whole slices.
        const old = sliceIndices(nz, 4, () => rng.next()).map((z) => [0, 0, z] as [number, number, number]);
        const bag = bagInstances(box, settings, rng);
        instances += bag.length;
        c.present++;
        if (!bagTouches(old, [nx, ny, 1], v.dims, inside)) c.oldMiss++;
        if (!bagTouches(bag, patch, v.dims, inside)) c.newMiss++;
      }
      counts.set(organ, c);
    }
  }
  const perOrgan = Object.fromEntries(
    [...counts].map(([o, c]) => [o, { old: c.oldMiss / c.present, wholeVolume: c.newMiss / c.present }]),
  );
  const total = [...counts.values()].reduce(
    (a, c) => ({ present: a.present + c.present, old: a.old + c.oldMiss, now: a.now + c.newMiss }),
    { present: 0, old: 0, now: 0 },
  );
  console.log(
    JSON.stringify({
      bench: 'pretrain-bags',
      cases,
      size,
      spacing,
      patch,
      strideMm,
      strideSlices: settings.stride,
      meanInstancesPerBag: instances / total.present,
      missOld: total.old / total.present,
      missWholeVolume: total.now / total.present,
      perOrgan,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
