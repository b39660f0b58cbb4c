import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { readNifti } from '../io/nifti/index.js';
import type { Volume } from '../volume/volume.js';
import { generateReport } from './generate.js';
import { tagReport } from './tagger.js';
import { getVocabulary, type VocabularyName } from './vocabularies.js';

/** A label map with one box per label: `boxes[label] = [x0, x1, y0, y1, z0, z1]` in voxels. */
function labelMap(
  dims: [number, number, number],
  spacing: [number, number, number],
  boxes: Record<number, number[]>,
): Volume {
  const [nx, ny, nz] = dims;
  const data = new Uint8Array(nx * ny * nz);
  for (const [label, [x0, x1, y0, y1, z0, z1]] of Object.entries(boxes) as [string, number[]][]) {
    for (let z = z0!; z < z1!; z++)
      for (let y = y0!; y < y1!; y++)
        for (let x = x0!; x < x1!; x++) data[x + nx * (y + ny * z)] = Number(label);
  }
  const affine = [
    [spacing[0], 0, 0, 0],
    [0, spacing[1], 0, 0],
    [0, 0, spacing[2], 0],
    [0, 0, 0, 1],
  ];
  return { data, dims, spacing, affine, datatype: 'uint8' };
}

/** A random configuration: each label present (as a small box) or removed, sizes varied. */
function randomCase(seed: number, labels: number): { map: Volume; present: Set<number> } {
  let s = seed * 9301 + 49297;
  const next = () => (s = (s * 9301 + 49297) % 233280) / 233280;
  const present = new Set<number>();
  const boxes: Record<number, number[]> = {};
  for (let label = 1; label <= labels; label++) {
    if (next() < 0.25) continue;
    present.add(label);
    const z0 = label; // distinct rows keep boxes apart
    boxes[label] = [label, label + 1, 0, 2, z0, z0 + 1 + Math.floor(next() * 40)];
  }
  return { map: labelMap([40, 4, 60], [1, 1, 5], boxes), present };
}

for (const name of ['btcv', 'amos', 'mmwhs', 'brats', 'abdomen'] as VocabularyName[]) {
  test(`generated ${name} reports round-trip through the tagger on 60 seeds`, () => {
    const vocabulary = getVocabulary(name);
    const maxLabel = Math.max(...vocabulary.tags.map((t) => t.label ?? 0));
    for (let seed = 1; seed <= 60; seed++) {
      const { map } = randomCase(seed, maxLabel);
      const report = generateReport(map, vocabulary, { seed });
      const recovered = Object.fromEntries(tagReport(report.text, vocabulary).map((t) => [t.tag, t.status]));
      assert.deepEqual(recovered, report.tags, `seed ${seed}:\n${report.text}`);
    }
  });
}

test('sizes come from the mask through the affine; enlargement above the normal limits', () => {
  const btcv = getVocabulary('btcv');
  // Spleen (1) 27 slices × 5 mm = 135 mm > 130: splenomegaly. Liver (6) 34 × 5 = 170 mm: not > 170.
  const map = labelMap([20, 2, 40], [1, 1, 5], { 1: [1, 2, 0, 1, 0, 27], 6: [6, 7, 0, 1, 0, 34] });
  const report = generateReport(map, btcv, { seed: 1 });
  assert.equal(report.tags.spleen, 'abnormal');
  assert.equal(report.tags.liver, 'present');
  assert.equal(report.tags.gallbladder, 'absent');
  assert.equal(report.sizes.spleen!.lengthMm, 135);
  assert.equal(report.sizes.liver!.extentMm[2], 170);
  assert.match(report.text, /13\.5 cm/);
  assert.match(report.text, /17\.0 cm/);
  assert.match(report.text, /FINDINGS:[\s\S]*IMPRESSION:/);
});

test('the same seed gives the same report; seeds vary wording and order', () => {
  const btcv = getVocabulary('btcv');
  const { map } = randomCase(3, 13);
  const texts = new Set<string>();
  for (let seed = 0; seed < 10; seed++) texts.add(generateReport(map, btcv, { seed }).text);
  assert.ok(texts.size >= 8, `only ${texts.size} distinct reports from 10 seeds`);
  assert.equal(generateReport(map, btcv, { seed: 4 }).text, generateReport(map, btcv, { seed: 4 }).text);
});

test('labelNames map tags to a dataset’s own label numbering', () => {
  const map = labelMap([20, 2, 40], [1, 1, 5], { 7: [1, 2, 0, 1, 0, 10] });
  const report = generateReport(map, getVocabulary('btcv'), {
    seed: 1,
    labelNames: { 7: 'spleen', 1: 'stomach' },
  });
  assert.equal(report.tags.spleen, 'present');
  assert.equal(report.tags.stomach, 'absent');
});

test('a real multi-organ CT label map: plausible sizes and a round trip', {
  skip: sharedDataSkip(),
}, async () => {
  const names = JSON.parse(readFileSync(sharedData('ct-abdomen', 'label_maps.json'), 'utf8')).total;
  const map = await readNifti(sharedData('ct-abdomen', 'seg_total_61.nii.gz'));
  const abdomen = getVocabulary('abdomen');
  const report = generateReport(map, abdomen, { seed: 5, labelNames: names });
  // Adult organ sizes (the map is a model's prediction on a 3 mm CT): wide, anatomical bounds.
  const liverSpan = report.sizes.liver!.extentMm[2];
  assert.ok(liverSpan > 100 && liverSpan < 250, `liver span ${liverSpan} mm`);
  const spleen = report.sizes.spleen!.lengthMm;
  assert.ok(spleen > 70 && spleen < 200, `spleen ${spleen} mm`);
  assert.equal(report.tags.liver, 'present');
  const recovered = Object.fromEntries(tagReport(report.text, abdomen).map((t) => [t.tag, t.status]));
  assert.deepEqual(recovered, report.tags);
});
