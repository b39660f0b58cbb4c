import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trunkMask } from './trunk-mask.js';

describe('trunkMask', () => {
  // 30×20×4 CT: air around a trunk (x 2–17) holding a gas-filled stomach (x 8–11, y 8–11), and an arm
  // (x 21–26) beside it, separated by two voxels of air.
  const dims = [30, 20, 4] as const;
  const hu = new Float32Array(30 * 20 * 4).fill(-1000);
  const at = (x: number, y: number, z: number) => x + 30 * (y + 20 * z);
  for (let z = 0; z < 4; z++)
    for (let y = 3; y < 17; y++) {
      for (let x = 2; x < 18; x++) hu[at(x, y, z)] = x >= 8 && x < 12 && y >= 8 && y < 12 ? -950 : 40;
      for (let x = 20; x < 27; x++) if (y >= 6 && y < 13) hu[at(x, y, z)] = 60;
    }
  const trunk = trunkMask(hu, dims);

  it('keeps the largest tissue region with its gas-filled holes, and nothing else', () => {
    assert.equal(trunk[at(4, 4, 1)], 1, 'trunk');
    assert.equal(trunk[at(9, 9, 2)], 1, 'gas inside the trunk is trunk');
    assert.equal(trunk[at(23, 9, 1)], 0, 'the arm is not trunk');
    assert.equal(trunk[at(0, 0, 0)], 0, 'air');
    assert.equal(trunk[at(19, 9, 0)], 0, 'the air gap');
  });
});
