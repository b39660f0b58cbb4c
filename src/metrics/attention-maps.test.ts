import assert from 'node:assert/strict';
import { test } from 'node:test';
import { organAuroc, pointingHit, summarizeMapScores } from './attention-maps.js';

// A 1D "volume" of 10 voxels: organ 3 at voxels 4–6, organ 5 at voxel 8, outside the body at 0.
const labels = Uint8Array.from([0, 0, 0, 0, 3, 3, 3, 0, 5, 0]);
const body = Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

test('pointing game: a hit when the map peaks inside the organ, within the body region', () => {
  const map = Float32Array.from([9, 0.1, 0.2, 0.1, 0.5, 0.9, 0.4, 0.1, 0.3, 0]);
  assert.equal(pointingHit(map, labels, 3, body), true);
  // Without the region, the bright voxel outside the body wins and the organ is missed.
  assert.equal(pointingHit(map, labels, 3), false);
  assert.equal(pointingHit(map, labels, 5, body), false);
});

test('AUROC of map values: 1 for a map that separates the organ, 0.5 for a constant, 0 reversed', () => {
  const perfect = Float32Array.from([0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  assert.equal(organAuroc(perfect, labels, 3, body), 1);
  assert.equal(organAuroc(new Float32Array(10).fill(0.2), labels, 3, body), 0.5);
  assert.equal(
    organAuroc(
      perfect.map((v) => 1 - v),
      labels,
      3,
      body,
    ),
    0,
  );
  // 3 organ voxels against 6 others; one other voxel (0.45) above one organ voxel (0.4): 1 − 1/18.
  const partial = Float32Array.from([0, 0.1, 0.2, 0.1, 0.5, 0.9, 0.4, 0.45, 0.3, 0]);
  assert.ok(Math.abs(organAuroc(partial, labels, 3, body) - (1 - 1 / 18)) < 1e-12);
  assert.ok(Number.isNaN(organAuroc(perfect, labels, 7, body)));
});

test('summary: per-organ means, then means over organs (organs weigh equally)', () => {
  const s = summarizeMapScores([
    { case: 'a', organ: 'liver', hit: true, auroc: 0.9 },
    { case: 'b', organ: 'liver', hit: true, auroc: 0.7 },
    { case: 'c', organ: 'liver', hit: false, auroc: 0.8 },
    { case: 'a', organ: 'spleen', hit: false, auroc: 0.6 },
  ]);
  assert.deepEqual(
    s.perOrgan.map((o) => [o.organ, o.cases]),
    [
      ['liver', 3],
      ['spleen', 1],
    ],
  );
  assert.ok(Math.abs(s.pointing - (2 / 3 + 0) / 2) < 1e-12);
  assert.ok(Math.abs(s.auroc - (0.8 + 0.6) / 2) < 1e-12);
});
