import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../phantom/random.js';
import { sliceInterior } from '../volume/slice-interior.js';
import { pseudoCtFromMr, unenhancedHu } from './pseudo-ct.js';

// TotalSegmentator `total_mr` values used below.
const names: Record<number, string> = { 5: 'liver', 19: 'vertebrae', 46: 'autochthon_left', 23: 'aorta' };

/**
 * A bright-fat MR slab: air outside, a ring of subcutaneous fat (500), dark muscle (15) in the back,
 * a liver (90) with a darker vessel, a vertebra (150, marrow fat), an aorta (25), and unlabelled
 * tissue inside (180 unless given): a fat pad (500), a dark band (10) and a half-fat band (257).
 */
function bright(fatMr = 500, interiorMr = 180) {
  const dims: [number, number, number] = [40, 40, 3];
  const [nx, ny, nz] = dims;
  const rng = new Random(5);
  const image = new Float32Array(nx * ny * nz);
  const labels = new Uint16Array(nx * ny * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        const r = Math.hypot(x - 20, y - 20);
        image[i] = rng.normal(2, 2); // air
        if (r > 18) continue;
        image[i] = r > 15 ? fatMr : interiorMr; // fat ring; unlabelled interior
        if (x >= 8 && x < 14 && y >= 16 && y < 24) image[i] = fatMr; // fat pad
        if (x >= 26 && x < 30 && y >= 10 && y < 14) image[i] = 10; // dark unlabelled band
        if (x >= 6 && x < 10 && y >= 12 && y < 15) image[i] = 15 + (fatMr - 15) / 2; // half fat
        if (x >= 12 && x < 18 && y >= 8 && y < 12) [labels[i], image[i]] = [46, rng.normal(15, 3)];
        if (x >= 16 && x < 30 && y >= 16 && y < 30) {
          labels[i] = 5;
          image[i] = 90 + rng.normal(0, 8) - (x === 22 ? 40 : 0);
        }
        if (x >= 18 && x < 24 && y >= 6 && y < 12) [labels[i], image[i]] = [19, 150];
        if (x >= 20 && x < 23 && y >= 13 && y < 16) [labels[i], image[i]] = [23, 25];
      }
  return { image, labels, dims };
}

const at = (x: number, y: number, z = 1) => x + 40 * (y + 40 * z);

describe('pseudoCtFromMr', () => {
  const { image, labels, dims } = bright();
  const hu = pseudoCtFromMr(image, labels, dims, names, 'mr.nii.gz');

  it('gives air outside the body, fat to bright unlabelled tissue, soft tissue to dark', () => {
    assert.equal(hu[at(1, 1)], -1000);
    assert.ok(Math.abs(hu[at(10, 20)]! - -100) < 3, `fat pad ${hu[at(10, 20)]}`);
    assert.ok(Math.abs(hu[at(20, 38)]! - -100) < 3, `fat ring ${hu[at(20, 38)]}`);
    assert.equal(hu[at(27, 11)], 45, 'dark unlabelled tissue (darker than muscle) is soft tissue');
    // Partial volume: half-way between muscle and fat brightness is half-way in HU.
    assert.ok(Math.abs(hu[at(8, 13)]! - -27.5) < 5, `half fat ${hu[at(8, 13)]}`);
  });

  it('gives each labelled structure its unenhanced HU, with a little of its MR texture', () => {
    const liver: number[] = [];
    for (let y = 16; y < 30; y++) for (let x = 16; x < 30; x++) if (x !== 22) liver.push(hu[at(x, y)]!);
    const mean = liver.reduce((a, b) => a + b, 0) / liver.length;
    assert.ok(Math.abs(mean - unenhancedHu('liver')) < 2, `liver mean ${mean}`);
    assert.ok(Math.max(...liver) - Math.min(...liver) <= 18.01, 'texture within ±3 sd × 3 HU');
    assert.ok(Math.max(...liver) - Math.min(...liver) > 4, 'texture kept');
    assert.ok(hu[at(22, 20)]! < mean - 5, 'the darker vessel stays darker');
    assert.ok(Math.abs(hu[at(12, 8)]! - 50) < 10, `muscle ${hu[at(12, 8)]}`);
    assert.ok(Math.abs(hu[at(21, 14)]! - unenhancedHu('aorta')) < 10, 'aorta: unenhanced blood');
    assert.ok(unenhancedHu('aorta') > 35 && unenhancedHu('aorta') < 50);
  });

  it('builds bone as a cortical shell around cancellous marrow', () => {
    assert.equal(hu[at(18, 8)], 700, 'edge of the vertebra');
    assert.equal(hu[at(20, 8)], 220, 'inside the vertebra');
  });

  it('refuses an MR without bright fat, naming the file', () => {
    const dark = bright(12, 12);
    assert.throws(
      () => pseudoCtFromMr(dark.image, dark.labels, dark.dims, names, 'flair.nii.gz'),
      /flair\.nii\.gz: no bright fat found/,
    );
  });

  it('finds the body inside the fat ring, dark muscle and gas included', () => {
    const body = sliceInterior(image, dims, 100);
    assert.equal(body[at(0, 0)], 0);
    assert.equal(body[at(12, 8)], 1, 'dark muscle inside');
    assert.equal(body[at(27, 11)], 1, 'dark band inside');
  });
});
