import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentImage, intensityJitter, transformPlanes } from './augment.js';

const identity = { angleDeg: 0, scale: 1, flipX: false, flipY: false };

test('the identity transform returns the image unchanged (tolerance 1e-6: float rounding)', () => {
  const img = Float32Array.from({ length: 5 * 7 * 2 }, (_, i) => Math.sin(i));
  const out = transformPlanes(img, 5, 7, 2, identity);
  for (let i = 0; i < img.length; i++) assert.ok(Math.abs(out[i]! - img[i]!) < 1e-6);
});

test('flips mirror each axis exactly', () => {
  const img = Float32Array.from({ length: 4 * 3 }, (_, i) => i);
  const fx = transformPlanes(img, 4, 3, 1, { ...identity, flipX: true });
  assert.deepEqual(Array.from(fx.subarray(0, 4)), [3, 2, 1, 0]);
  const fy = transformPlanes(img, 4, 3, 1, { ...identity, flipY: true });
  assert.deepEqual(Array.from(fy.subarray(0, 4)), [8, 9, 10, 11]);
});

test('a 90° rotation of a square maps a corner pixel to the adjacent corner', () => {
  const img = new Float32Array(9);
  img[0] = 1; // (x=0, y=0)
  const out = transformPlanes(img, 3, 3, 1, { ...identity, angleDeg: 90 });
  assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.ok(out[0]! < 1e-5, 'the corner moved');
  const corners = [out[2]!, out[6]!, out[8]!];
  assert.ok(corners.some((c) => Math.abs(c - 1) < 1e-5));
});

test('intensity jitter is an affine map within the asked range; augmentation is seeded', () => {
  const img = Float32Array.from([0, 1, 2]);
  intensityJitter(img, () => 1, 0.1, 0.2); // rng 1 → gain 1.1, shift 0.2
  assert.ok(Math.abs(img[2]! - 2.4) < 1e-6);
  let s = 1;
  const rng = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const src = Float32Array.from({ length: 64 }, (_, i) => i % 8);
  s = 1;
  const a = augmentImage(src, 8, 8, 1, rng);
  s = 1;
  const b = augmentImage(src, 8, 8, 1, rng);
  assert.deepEqual(a, b);
});
