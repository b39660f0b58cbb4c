import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../phantom/random.js';
import type { Vec3 } from './deformation.js';
import { applyVesselCalibre, drawVesselCalibre, IVC_CALIBRE, vesselCentreline } from './vessel-calibre.js';

const dims: [number, number, number] = [40, 40, 10];
const IVC = 9;

/** A vertical tube of radius 5 voxels (1 mm) centred at x = 20 + z/3, y = 15: a vessel that leans. */
function tube(): Uint16Array {
  const labels = new Uint16Array(dims[0] * dims[1] * dims[2]);
  for (let z = 2; z < 8; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++)
        if ((x - 20 - z / 3) ** 2 + (y - 15) ** 2 <= 25) labels[x + dims[0] * (y + dims[1] * z)] = IVC;
  return labels;
}
const toMm = (x: number, y: number, z: number): Vec3 => [x, y, 3 * z];

describe('vessel calibre', () => {
  it('finds the centreline slice by slice and the mean radius', () => {
    const line = vesselCentreline(tube(), dims, new Set([IVC]), toMm, 1)!;
    assert.equal(line.points.length, 6, 'one point per slice that holds the vessel');
    for (const [i, p] of line.points.entries()) {
      const z = i + 2;
      assert.ok(Math.abs(p[0] - (20 + z / 3)) < 0.35, `x ${p[0]} at z ${z}`);
      assert.ok(Math.abs(p[1] - 15) < 1e-9);
      assert.equal(p[2], 3 * z);
    }
    assert.ok(Math.abs(line.radiusMm - 5) < 0.3, `radius ${line.radiusMm}`);
    assert.equal(vesselCentreline(tube(), dims, new Set([1]), toMm, 1), undefined);
  });

  it('flattens the vessel front to back, one-to-one, and leaves distant tissue alone', () => {
    const line = vesselCentreline(tube(), dims, new Set([IVC]), toMm, 1)!;
    const calibre = {
      ...drawVesselCalibre('ivc', line, new Random(1)),
      scale: [1, 0.45] as [number, number],
    };
    const cx = 20 + 4 / 3;
    const source = (x: number, y: number, z: number) => {
      const p = Float64Array.of(x, y, z);
      applyVesselCalibre(calibre, p);
      return p;
    };
    // A point 2.5 mm in front of the centre comes from about 2.5/0.45 mm in front: the vessel is
    // flattened to under half its depth (its wall, 5 mm out in the source, now lies within 2.5 mm).
    const front = source(cx, 17.5, 12);
    assert.ok(front[1]! - 15 > 4, `source y ${front[1]}`);
    assert.ok(Math.abs(front[0]! - cx) < 1e-9, 'left–right scale 1 leaves x');
    // Monotonic along y through the centre: nothing folds.
    let last = -Infinity;
    for (let y = -30; y <= 60; y += 0.25) {
      const v = source(cx, y, 12)[1]!;
      assert.ok(v > last, `fold at y ${y}`);
      last = v;
    }
    // Just past the top slice (z 21 mm) the change fades rather than stopping at a plane.
    const above = source(20 + 7 / 3, 17.5, 23)[1]! - 17.5;
    assert.ok(above > 1 && above < front[1]! - 17.5, `2 mm above the end: moved ${above}`);
    // Far from the vessel, or far beyond its ends, the map is the identity.
    assert.deepEqual([...source(cx, 15 + 60, 12)], [cx, 75, 12]);
    assert.deepEqual([...source(cx, 17.5, 200)], [cx, 17.5, 200]);
  });

  it('draws scales within IVC_CALIBRE', () => {
    const line = vesselCentreline(tube(), dims, new Set([IVC]), toMm, 1)!;
    const rng = new Random(3);
    for (let i = 0; i < 200; i++) {
      const { scale, sigma } = drawVesselCalibre('ivc', line, rng);
      assert.ok(scale[0] >= IVC_CALIBRE.leftRight[0] && scale[0] <= IVC_CALIBRE.leftRight[1]);
      assert.ok(scale[1] >= IVC_CALIBRE.frontBack[0] && scale[1] <= IVC_CALIBRE.frontBack[1]);
      assert.ok(Math.abs(sigma - 1.3 * line.radiusMm) < 1e-9);
    }
  });
});
