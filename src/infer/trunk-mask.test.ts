import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trunkMask } from './trunk-mask.js';

// 48×32×4 CT at 2 mm: air around a trunk (x 2–29, y 2–29: 56 mm) holding a gas-filled stomach (x 14–17,
// y 14–17), and an arm (x 32–38, 14 mm thick) beside it, two voxels of air away or, with `bridge`,
// resting against the flank through a 4 mm bridge of tissue.
function scan(bridge: boolean) {
  const hu = new Float32Array(48 * 32 * 4).fill(-1000);
  for (let z = 0; z < 4; z++)
    for (let y = 2; y < 30; y++) {
      for (let x = 2; x < 30; x++) hu[at(x, y, z)] = x >= 14 && x < 18 && y >= 14 && y < 18 ? -950 : 40;
      for (let x = 32; x < 39; x++) if (y >= 10 && y < 20) hu[at(x, y, z)] = 60;
      if (bridge && y >= 14 && y < 16) for (let x = 30; x < 32; x++) hu[at(x, y, z)] = -80;
    }
  return trunkMask(hu, [48, 32, 4], [2, 2, 2]);
}
const at = (x: number, y: number, z: number) => x + 48 * (y + 32 * z);

describe('trunkMask', () => {
  for (const bridge of [false, true])
    it(`keeps the trunk with its gas-filled holes, not the arm${bridge ? ' resting against it' : ''}`, () => {
      const trunk = scan(bridge);
      assert.equal(trunk[at(5, 6, 1)], 1, 'trunk');
      assert.equal(trunk[at(28, 15, 1)], 1, 'trunk at its flank');
      assert.equal(trunk[at(15, 15, 2)], 1, 'gas inside the trunk is trunk');
      assert.equal(trunk[at(35, 15, 1)], 0, 'the arm is not trunk');
      assert.equal(trunk[at(0, 0, 0)], 0, 'air');
    });

  it('keeps a body too thin to open whole (largest tissue region)', () => {
    const hu = new Float32Array(10 * 10 * 2).fill(-1000);
    for (let z = 0; z < 2; z++)
      for (let y = 3; y < 7; y++) for (let x = 2; x < 8; x++) hu[x + 10 * (y + 10 * z)] = 40;
    const trunk = trunkMask(hu, [10, 10, 2], [2, 2, 2]);
    assert.equal(trunk[4 + 10 * 5], 1);
    assert.equal(
      trunk.reduce((a, b) => a + b, 0),
      2 * 4 * 6,
    );
  });
});
