import assert from 'node:assert/strict';
import { test } from 'node:test';
import { euclideanDistanceTransform } from './distance-transform.js';

/** Small seeded generator (mulberry32) so the random masks are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The obvious O(N²) transform: for every voxel, the nearest set voxel by exhaustive search. */
function bruteForce(mask: Uint8Array, dims: number[], spacing: number[]): Float64Array {
  const [nx, ny, nz] = [dims[0]!, dims[1] ?? 1, dims[2] ?? 1];
  const set: [number, number, number][] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) if (mask[(z * ny + y) * nx + x]) set.push([x, y, z]);
  const out = new Float64Array(nx * ny * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let best = Number.POSITIVE_INFINITY;
        for (const [a, b, c] of set) {
          const d =
            ((x - a) * spacing[0]!) ** 2 +
            ((y - b) * (spacing[1] ?? 1)) ** 2 +
            ((z - c) * (spacing[2] ?? 1)) ** 2;
          if (d < best) best = d;
        }
        out[(z * ny + y) * nx + x] = Math.sqrt(best);
      }
  return out;
}

test('EDT equals brute force on random anisotropic masks (odd sizes, sparse and dense)', () => {
  const random = rng(7);
  const cases: [number[], number[], number][] = [
    [[7, 5, 4], [0.8, 1.3, 2.5], 0.05],
    [[9, 11, 6], [2.0, 0.7, 1.1], 0.3],
    [[16, 3, 13], [1, 1, 3], 0.01],
    [[33, 21, 1], [0.5, 1.7, 1], 0.02],
    [[1, 1, 40], [1, 1, 0.9], 0.1],
    [[20, 18, 17], [0.9, 0.9, 5], 0.002],
  ];
  for (const [dims, spacing, density] of cases) {
    const n = dims[0]! * dims[1]! * dims[2]!;
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = random() < density ? 1 : 0;
    mask[Math.floor(random() * n)] = 1; // at least one set voxel
    const expected = bruteForce(mask, dims, spacing);
    const actual = euclideanDistanceTransform(mask, dims, spacing);
    for (let i = 0; i < n; i++) {
      // Tolerance 1e-6 mm: both are exact up to float64 rounding of a few additions.
      assert.ok(
        Math.abs(actual[i]! - expected[i]!) <= 1e-6,
        `dims ${dims} voxel ${i}: ${actual[i]} vs ${expected[i]}`,
      );
    }
  }
});

test('EDT squared option and Float32 output agree with the float64 result', () => {
  const dims = [12, 10, 8];
  const mask = new Uint8Array(12 * 10 * 8);
  mask[5 + 12 * (9 + 10 * 7)] = 1;
  mask[0] = 1;
  const d = euclideanDistanceTransform(mask, dims, [1.5, 0.5, 2]);
  const squared = euclideanDistanceTransform(mask, dims, [1.5, 0.5, 2], { squared: true });
  const single = euclideanDistanceTransform(mask, dims, [1.5, 0.5, 2], {
    out: new Float32Array(mask.length),
  });
  assert.ok(single instanceof Float32Array);
  for (let i = 0; i < mask.length; i++) {
    assert.ok(Math.abs(squared[i]! - d[i]! ** 2) <= 1e-9 * Math.max(1, squared[i]!));
    // Float32 keeps ~7 significant digits; distances here are below 30 mm.
    assert.ok(Math.abs(single[i]! - d[i]!) <= 1e-5);
  }
  assert.equal(d[0], 0);
  assert.equal(d[11], 11 * 1.5); // along x from voxel 0
});

test('EDT of an empty mask is Infinity everywhere', () => {
  const d = euclideanDistanceTransform(new Uint8Array(24), [2, 3, 4], [1, 1, 1]);
  assert.ok(d.every((v) => v === Number.POSITIVE_INFINITY));
});

test('EDT rejects bad spacing and short masks', () => {
  assert.throws(() => euclideanDistanceTransform(new Uint8Array(8), [2, 2, 2], [1, 0, 1]), /spacing/);
  assert.throws(() => euclideanDistanceTransform(new Uint8Array(7), [2, 2, 2], [1, 1, 1]), /mask has 7/);
});
