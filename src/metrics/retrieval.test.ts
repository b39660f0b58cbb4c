import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retrievalRecall } from './retrieval.js';

test('identity similarity retrieves every match first', () => {
  const n = 12;
  const sim = new Float32Array(n * n);
  for (let i = 0; i < n; i++) sim[i * n + i] = 1;
  const m = retrievalRecall(sim, n);
  assert.deepEqual(m.imageToReport, { r1: 1, r5: 1, r10: 1 });
  assert.deepEqual(m.reportToImage, { r1: 1, r5: 1, r10: 1 });
});

test('constant similarity scores exactly chance (ties broken at random, in expectation)', () => {
  const n = 20;
  const m = retrievalRecall(new Float32Array(n * n).fill(0.3), n);
  // Tolerance 1e-12: sums of n rational terms.
  assert.ok(Math.abs(m.imageToReport.r1 - m.chance.r1) < 1e-12);
  assert.ok(Math.abs(m.imageToReport.r5 - 0.25) < 1e-12);
  assert.ok(Math.abs(m.reportToImage.r10 - 0.5) < 1e-12);
  assert.equal(m.chance.r5, 0.25);
});

test('directions differ when the matrix is not symmetric', () => {
  // image 0 prefers report 1; report 0 prefers image 0.
  const sim = [0.5, 0.9, 0.1, 0.2, 0.8, 0.3, 0.0, 0.1, 0.7];
  const m = retrievalRecall(sim, 3);
  assert.equal(m.imageToReport.r1, 2 / 3);
  assert.equal(m.reportToImage.r1, 2 / 3); // column 1: image 0 (0.9) beats image 1 (0.8)
});
