import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../engine/index.js';
import { cutPatch, defaultPatchAugment, identityTransform } from './patch-augment.js';
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

test('foreground centres are balanced over the classes present, not over their voxels', () => {
  // Class 1 fills 300 voxels, class 2 three: a uniform foreground voxel would pick class 2 once in 100.
  const dims: [number, number, number] = [20, 20, 4];
  const label = new Uint8Array(20 * 20 * 4);
  for (let i = 0; i < 300; i++) label[i] = 1;
  label[1000] = 2;
  label[1001] = 2;
  label[1002] = 2;
  const v = { image: new Float32Array(label.length), label, dims };
  const rng = new Rng(5);
  const count = (classBalanced: boolean) => {
    const s = new PatchSampler([v], [4, 4, 1], { positiveFraction: 1, classBalanced, augment: false });
    const hits = [0, 0, 0];
    for (let i = 0; i < 2000; i++) hits[label[s.centre(0, () => rng.next())]!]!++;
    return hits;
  };
  const balanced = count(true);
  assert.equal(balanced[0], 0);
  // Binomial(2000, 0.5): sd 22, so ±150 is far outside chance.
  assert.ok(Math.abs(balanced[1]! - balanced[2]!) < 150, `${balanced}`);
  const uniform = count(false);
  assert.ok(uniform[2]! < 80, `${uniform}`);
  // A third of patches (or more) on foreground: positiveFraction is honoured.
  const third = new PatchSampler([v], [4, 4, 1], { positiveFraction: 1 / 3, augment: false });
  let fg = 0;
  for (let i = 0; i < 3000; i++) if (label[third.centre(0, () => rng.next())] !== 0) fg++;
  assert.ok(Math.abs(fg / 3000 - 1 / 3) < 0.04, `${fg}`);
});

test('augmented patches keep image and labels aligned, and a step repeats exactly', () => {
  const s = new PatchSampler([volume()], [8, 8, 2], { positiveFraction: 1 });
  const a = s.batchForStep(6, 3, 17);
  const b = s.batchForStep(6, 3, 17);
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.labels, b.labels);
  assert.notDeepEqual(s.batchForStep(6, 3, 18).images, a.images);
  // Spatial augmentation with intensity off: each label must be the label of a voxel next to the
  // image value's source (image = voxel index, linear interpolation blends neighbours).
  const spatialOnly = new PatchSampler([volume()], [8, 8, 2], {
    positiveFraction: 1,
    augment: {
      ...defaultPatchAugment,
      rotation: { p: 1, degrees: 15 },
      scaling: { p: 1, min: 0.85, max: 1.15 },
      lowResolution: { p: 0, min: 1 },
      noise: { p: 0, sd: 0 },
      blur: { p: 0, min: 1, max: 1 },
      brightness: { p: 0, min: 1, max: 1 },
      contrast: { p: 0, min: 1, max: 1 },
      gamma: { p: 0, min: 1, max: 1, invertedP: 0 },
    },
  });
  const batch = spatialOnly.batchForStep(8, 1, 0);
  assert.ok(batch.labels.some((l) => l === 3));
  assert.ok(batch.labels.every((l) => l === 0 || l === 3));
});

test('cutPatch with the identity transform is a plain crop', () => {
  const v = volume();
  const image = new Float32Array(8 * 8 * 2);
  const label = new Uint8Array(8 * 8 * 2);
  cutPatch(v, [12 + 3.5, 8 + 3.5, 4 + 0.5], [8, 8, 2], identityTransform, -1, image, label);
  for (let i = 0; i < image.length; i++) assert.equal(label[i], v.label[image[i]!]);
  assert.equal(image[0], (4 * 16 + 8) * 20 + 12);
});

test('multi-channel patches: one spatial transform for all channels, intensity augmentation per channel', () => {
  const v = volume();
  const n = v.label.length;
  // Channel 1 is channel 0 + 1000: with the same transform the patches differ by exactly 1000.
  const image = new Float32Array(2 * n);
  image.set(v.image);
  for (let i = 0; i < n; i++) image[n + i] = v.image[i]! + 1000;
  const twoChannels = { ...v, image, channels: 2 };
  const spatial = {
    ...defaultPatchAugment,
    rotation: { p: 1, degrees: 15 },
    scaling: { p: 1, min: 0.85, max: 1.15 },
    elastic: { p: 1, grid: 4, sigma: 1 },
    lowResolution: { p: 0, min: 1 },
    noise: { p: 0, sd: 0 },
    blur: { p: 0, min: 1, max: 1 },
    brightness: { p: 0, min: 1, max: 1 },
    contrast: { p: 0, min: 1, max: 1 },
    gamma: { p: 0, min: 1, max: 1, invertedP: 0 },
  };
  const size: [number, number, number] = [8, 8, 2];
  const voxels = 8 * 8 * 2;
  const s = new PatchSampler([twoChannels], size, { positiveFraction: 1, augment: spatial });
  const batch = s.batchForStep(4, 2, 0);
  assert.equal(batch.images.length, 4 * 2 * voxels);
  assert.ok(batch.labels.some((l) => l === 3));
  for (let b = 0; b < 4; b++)
    for (let i = 0; i < voxels; i++) {
      const c0 = batch.images[b * 2 * voxels + i]!;
      const c1 = batch.images[(b * 2 + 1) * voxels + i]!;
      // Outside the volume each channel is padded with its own minimum (0 and 1000).
      assert.ok(Math.abs(c1 - c0 - 1000) < 1e-3, `patch ${b} voxel ${i}: ${c0} vs ${c1}`);
    }
  // Brightness always on: each channel draws its own factor, so the 1000 offset no longer holds.
  const bright = new PatchSampler([twoChannels], size, {
    positiveFraction: 1,
    augment: { ...spatial, brightness: { p: 1, min: 0.5, max: 1.5 } },
  }).batchForStep(1, 2, 0);
  const ratio0 = bright.images[0]! / batch.images[0]!;
  const ratio1 = bright.images[voxels]! / batch.images[voxels]!;
  assert.ok(Math.abs(ratio0 - ratio1) > 1e-3, `factors ${ratio0} and ${ratio1}`);
});
