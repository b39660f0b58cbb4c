import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Volume } from '../volume/volume.js';
import { generateReport } from './generate.js';
import { tagReport } from './tagger.js';
import { getVocabulary } from './vocabularies.js';

const btcv = getVocabulary('btcv');

/** A label map holding each given BTCV label as a box spanning `slices[label]` slices of 5 mm. */
function labelMap(slices: Record<number, number>): Volume {
  const [nx, ny, nz] = [16, 4, 60];
  const data = new Uint8Array(nx * ny * nz);
  for (const [label, span] of Object.entries(slices)) {
    const x = Number(label);
    for (let z = 0; z < span; z++) for (let y = 0; y < ny; y++) data[x + nx * (y + ny * z)] = x;
  }
  const affine = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 5, 0],
    [0, 0, 0, 1],
  ];
  return { data, dims: [nx, ny, nz], spacing: [1, 1, 5], affine, datatype: 'uint8' };
}

// Spleen, gallbladder, pancreas and the left adrenal missing; liver 200 mm (above 17 cm), kidneys 150 mm.
const map = labelMap({ 2: 30, 3: 30, 5: 10, 6: 40, 7: 10, 8: 60, 9: 60, 10: 10, 12: 5 });
const missing = ['spleen', 'gallbladder', 'pancreas', 'left adrenal gland'];
const seeds = Array.from({ length: 30 }, (_, i) => i + 1);
const statuses = (text: string) => new Map(tagReport(text, btcv).map((t) => [t.tag, t]));

test('an organ outside the field of view is said to be not included, never resected', () => {
  let wordings = 0;
  for (const seed of seeds) {
    const report = generateReport(map, btcv, { seed, fieldOfView: { outside: missing } });
    const read = statuses(report.text);
    for (const organ of missing) {
      assert.equal(report.tags[organ], 'absent');
      assert.equal(read.get(organ)?.status, 'absent', `seed ${seed}: ${report.text}`);
      assert.match(read.get(organ)!.evidence.sentence, /not (visualized|included in the field of view)/);
    }
    assert.doesNotMatch(report.text, /status post|surgically|removed|ectomy/i);
    // Without the option the same label map reads as post-surgical.
    const plain = generateReport(map, btcv, { seed }).text;
    if (/splenectomy|surgically absent/i.test(plain)) wordings++;
  }
  assert.ok(wordings > 0);
});

test('an organ cut by the field of view is present and never measured or called enlarged', () => {
  const cut = ['liver', 'right kidney', 'left kidney'];
  for (const seed of seeds) {
    const report = generateReport(map, btcv, { seed, fieldOfView: { outside: missing, cut } });
    const read = statuses(report.text);
    for (const organ of cut) {
      assert.equal(report.tags[organ], 'present', `seed ${seed} ${organ}`);
      assert.equal(read.get(organ)?.status, 'present', `seed ${seed}: ${report.text}`);
      assert.doesNotMatch(read.get(organ)!.evidence.sentence, /\d cm|enlarged|hepatomegaly/i);
      assert.equal(report.sizes[organ], undefined);
    }
  }
  // Whole, the same liver is enlarged (20 cm span): the cut is what withholds the judgement.
  assert.equal(generateReport(map, btcv, { seed: 1 }).tags.liver, 'abnormal');
});

test('no field of view, or an empty one, writes the same report as before', () => {
  for (const seed of seeds) {
    const plain = generateReport(map, btcv, { seed });
    assert.deepEqual(generateReport(map, btcv, { seed, fieldOfView: {} }), plain);
    assert.deepEqual(generateReport(map, btcv, { seed, fieldOfView: { outside: [], cut: [] } }), plain);
  }
});
