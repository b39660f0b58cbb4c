import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../phantom/random.js';
import { applyPhaseShifts, labelMedians, phaseShifts } from './contrast-phase.js';
import { builtinLabelNames } from './label-scheme.js';
import { drawStomachFilling, fillStomach, MEAL_HU, STOMACH_FILLINGS } from './stomach-contents.js';

const STOMACH = 6;
const dims: [number, number, number] = [30, 30, 12];
const spacing: [number, number, number] = [1.5, 1.5, 3];

/** A collapsed stomach: a soft-tissue ball (40 HU) of radius 10 voxels in fat. */
function stomachScan() {
  const n = dims[0] * dims[1] * dims[2];
  const image = new Float32Array(n).fill(-100);
  const labels = new Uint8Array(n);
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++) {
        const i = x + dims[0] * (y + dims[1] * z);
        if ((x - 15) ** 2 + (y - 15) ** 2 + ((z - 6) * 2) ** 2 <= 100) {
          labels[i] = STOMACH;
          image[i] = 40;
        }
      }
  return { image, labels, dims, spacing };
}

describe('fillStomach', () => {
  it('puts gas in front of an air–fluid level and keeps a soft-tissue wall', () => {
    const scan = stomachScan();
    const contents = fillStomach(scan, [STOMACH], 'gas and fluid', new Random(4));
    assert.ok(contents.voxels > 100, `lumen ${contents.voxels}`);
    const at = (x: number, y: number, z: number) => scan.image[x + dims[0] * (y + dims[1] * z)]!;
    // The front (high y, RAS) of the lumen is gas, its back fluid, and the outermost voxel is wall.
    assert.ok(at(15, 21, 6) < -700, `front ${at(15, 21, 6)}`);
    assert.ok(at(15, 9, 6) > -20 && at(15, 9, 6) < 60, `back ${at(15, 9, 6)}`);
    assert.equal(at(15, 25, 6), 40, 'the wall (within 3 mm of the edge) is the source tissue');
    assert.equal(at(2, 2, 6), -100, 'fat outside the stomach is untouched');
    for (let i = 0; i < scan.labels.length; i++) assert.equal(scan.labels[i], stomachScan().labels[i]);
  });

  it('fills with dense oral contrast or leaves the stomach as scanned', () => {
    const contrast = stomachScan();
    fillStomach(contrast, [STOMACH], 'oral contrast', new Random(2));
    const back = contrast.image[15 + dims[0] * (9 + dims[1] * 6)]!;
    assert.ok(back > 100, `contrast ${back}`);
    const same = stomachScan();
    assert.equal(fillStomach(same, [STOMACH], 'as scanned', new Random(2)).voxels, 0);
    assert.deepEqual(same.image, stomachScan().image);
  });

  it('fills with a meal: mottled soft tissue with a few gas bubbles', () => {
    const scan = stomachScan();
    const contents = fillStomach(scan, [STOMACH], 'food', new Random(5));
    const values: number[] = [];
    for (let i = 0; i < scan.image.length; i++)
      if (scan.image[i] !== stomachScan().image[i]) values.push(scan.image[i]!);
    assert.equal(values.length, contents.voxels);
    const soft = values.filter((v) => v > -200);
    const mean = soft.reduce((a, b) => a + b, 0) / soft.length;
    const sd = Math.sqrt(soft.reduce((a, b) => a + (b - mean) ** 2, 0) / soft.length);
    assert.ok(mean > MEAL_HU[0] - 5 && mean < MEAL_HU[1] + 5, `food mean ${mean}`);
    assert.ok(sd > 8, `food is flat (sd ${sd})`);
    assert.ok(
      values.some((v) => v < -700),
      'no gas bubble',
    );
  });

  it('draws every state at about its frequency', () => {
    const rng = new Random(9);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) {
      const s = drawStomachFilling(rng);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    for (const [state, p] of Object.entries(STOMACH_FILLINGS))
      assert.ok(Math.abs((counts[state] ?? 0) / 2000 - p) < 0.04, `${state} ${counts[state]}`);
  });
});

describe('enhancement strength', () => {
  it('spreads one phase over a continuum: a portal-venous spleen darker or brighter than the liver', () => {
    const names = builtinLabelNames('total');
    const LIVER = 5;
    const SPLEEN = 1;
    const IVC = 63;
    assert.equal(names[IVC], 'inferior_vena_cava');
    const labels = new Uint16Array([LIVER, LIVER, SPLEEN, SPLEEN, IVC, IVC]);
    const image = new Float32Array([46, 46, 35, 35, 40, 40]);
    const medians = labelMedians(image, labels, 255);
    let darker = 0;
    let lowest = Infinity;
    let highest = -Infinity;
    for (let seed = 0; seed < 60; seed++) {
      const out = image.slice();
      applyPhaseShifts(
        out,
        labels,
        [6, 1, 1],
        phaseShifts('portal-venous', 'non-contrast', medians, names, new Random(seed)),
      );
      const [liver, , spleen, , ivc] = out;
      if (spleen! < liver!) darker++;
      lowest = Math.min(lowest, liver!);
      highest = Math.max(highest, liver!);
      assert.ok(liver! > 60 && liver! < 140, `liver ${liver}`);
      assert.ok(ivc! > 60, `IVC ${ivc}`);
    }
    assert.ok(darker > 5 && darker < 55, `spleen darker than liver in ${darker}/60`);
    assert.ok(
      highest - lowest > 35,
      `portal-venous liver spans ${lowest.toFixed(0)}–${highest.toFixed(0)} HU`,
    );
  });
});
