import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../engine/index.js';
import { mirror, PatchSampler } from './patch-sampler.js';

/** A 20×16×6 volume whose only foreground is a 2×2×2 cube of label 3 at (15, 12, 4). */
function volume() {
  const dims: [number, number, number] = [20, 16, 6];
  const label = new Uint8Array(20 * 16 * 6);
  const image = new Float32Array(label.length).map((_, i) => i);
  for (let z = 4; z < 6; z++)
    for (let y = 12; y < 14; y++) for (let x = 15; x < 17; x++) label[(z * 16 + y) * 20 + x] = 3;
  return { image, label, dims };
}

test('positive patches contain foreground, negative ones are centred on background', () => {
  const rng = new Rng(1);
  const pos = new PatchSampler([volume()], [8, 8, 1], { positiveFraction: 1, augment: false });
  const neg = new PatchSampler([volume()], [8, 8, 1], { positiveFraction: 0, augment: false });
  for (let i = 0; i < 20; i++) {
    const p = pos.batch(1, () => rng.next());
    assert.ok(
      p.labels.some((v) => v === 3),
      'a positive patch holds the organ',
    );
    const c = neg.centre(0, () => rng.next());
    assert.equal(neg.volumes[0]!.label[c], 0);
  }
});

test('patches stay inside a large volume and copy the right voxels', () => {
  const s = new PatchSampler([volume()], [8, 8, 2], { augment: false });
  const v = volume();
  const index = (5 * 16 + 15) * 20 + 19; // corner voxel: the patch must shift inwards
  const start = s.start(0, index);
  assert.deepEqual(start, [12, 8, 4]);
  const batch = s.batch(4, () => 0.3);
  for (let b = 0; b < 4; b++) {
    const img = batch.images.subarray(b * 128, (b + 1) * 128);
    const lab = batch.labels.subarray(b * 128, (b + 1) * 128);
    // The image is the voxel index, so each patch value names its source voxel; labels must agree.
    for (let i = 0; i < 128; i++) assert.equal(lab[i], v.label[img[i]!]);
  }
});

test('a patch larger than the volume is centred and padded with the minimum and background', () => {
  const s = new PatchSampler([volume()], [24, 16, 8], { augment: false });
  const { images, labels } = s.batch(1, () => 0.5);
  assert.equal(images[0], 0); // padding value = the image minimum (0)
  assert.equal(labels.filter((v) => v === 3).length, 8);
});

test('mirroring twice is the identity and mirrors rows', () => {
  const data = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
  const copy = data.slice();
  mirror(data, [2, 3, 2], true, false);
  assert.deepEqual([...data.subarray(0, 2)], [4, 5]);
  mirror(data, [2, 3, 2], true, false);
  assert.deepEqual(data, copy);
});
