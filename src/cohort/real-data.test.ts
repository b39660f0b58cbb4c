// The cohort generator on the project's real data: patient A's TotalSegmentator map read with the
// example names file, a grown case checked against its label map and report; the abdominal MR as a
// pseudo-CT source.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import { readVolume } from '../io/read-volume.js';
import { tagReport } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';
import { caseReport } from './case-report.js';
import { growCase } from './grow-case.js';
import { builtinLabelNames, mapLabelScheme, readLabelNames, remapLabels } from './label-scheme.js';
import { readSourceScan, type SourceModality } from './source-scan.js';

const skip = sharedDataSkip();

/** A shared-data scan as a cohort source, its labels named by `scheme` of the example names file. */
async function sharedSource(
  scheme: string,
  image: [string, string],
  labels: [string, string],
  modality: SourceModality = 'ct',
) {
  const names = readLabelNames(sharedData('ct-abdomen', 'label_maps.json'), scheme);
  const mapping = mapLabelScheme(names, 'btcv');
  const source = await readSourceScan(sharedData(...image), sharedData(...labels), names, mapping, modality);
  return { source, names, mapping };
}

describe('cohort from patient A (shared data)', { skip }, () => {
  it('the built-in `total` names equal the example names file', () => {
    const file = readLabelNames(sharedData('ct-abdomen', 'label_maps.json'), 'total');
    assert.deepEqual(file, { ...builtinLabelNames('total') });
  });

  it('maps patient B’s 31-class map onto the BTCV organs it shows', async () => {
    const names = readLabelNames(sharedData('ct-abdomen', 'label_maps.json'), 'total');
    const labels = await readVolume(sharedData('ct-dicom-series', 'seg_total_fast_31.nii.gz'));
    const present = [...new Set(remapLabels(labels.data, mapLabelScheme(names, 'btcv')))].sort(
      (a, b) => a - b,
    );
    // spleen, liver, stomach, aorta, IVC, portal/splenic vein, pancreas, right adrenal gland
    assert.deepEqual(present, [0, 1, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('grows a post-splenectomy variant: grids match, spleen gone from labels and report', async () => {
    const { source, mapping } = await sharedSource(
      'total',
      ['ct-abdomen', 'ct.nii.gz'],
      ['ct-abdomen', 'seg_total_61.nii.gz'],
    );
    assert.equal(source.phase, 'non-contrast');
    const grown = growCase(source, {
      seed: 3,
      variation: 0,
      findings: { absent: ['spleen'] },
      phase: 'portal-venous',
      acquisition: { inPlaneMm: [3, 3], sliceMm: [3], minLengthMm: 1000 },
    });
    assert.deepEqual(grown.image.dims, grown.label.dims);
    assert.deepEqual(grown.image.affine, grown.label.affine);
    const values = new Set(grown.label.data);
    assert.ok(!values.has(1), 'spleen (1) still labelled');
    for (const organ of [2, 3, 6, 7, 8, 9]) assert.ok(values.has(organ), `organ ${organ} missing`);
    for (const v of values) assert.ok(v <= 13);
    const vocabulary = getVocabulary('btcv');
    const report = caseReport(grown.label, grown.findings, grown.phase, vocabulary, mapping.targetNames, 3);
    const tags = new Map(tagReport(report.text, vocabulary).map((t) => [t.tag, t.status]));
    assert.equal(tags.get('spleen'), 'absent', report.text);
    assert.equal(tags.get('liver'), 'present', report.text);
  });

  it('turns the abdominal MR into an unenhanced pseudo-CT that grows cases', async () => {
    const { source, names } = await sharedSource(
      'total_mr',
      ['mr-abdomen', 'mr_small.nii.gz'],
      ['mr-abdomen', 'seg_small_total_mr_23.nii.gz'],
      'mr',
    );
    assert.equal(source.modality, 'mr');
    assert.equal(source.phase, 'non-contrast', 'its aorta is unenhanced blood');
    const medianOf = (name: string) => {
      const value = Number(Object.entries(names).find(([, n]) => n === name)![0]);
      return source.medians.get(value)!;
    };
    assert.ok(Math.abs(medianOf('liver') - 52.5) < 5, `liver ${medianOf('liver')} HU`);
    assert.ok(Math.abs(medianOf('spleen') - 46) < 5, `spleen ${medianOf('spleen')} HU`);
    // Subcutaneous fat and the air around the body: the body box is the patient, not the MR's field.
    const width = source.body.max[0] - source.body.min[0];
    assert.ok(width > 250 && width < 351, `body ${width.toFixed(0)} mm wide`);
    const grown = growCase(source, {
      seed: 4,
      variation: 0,
      phase: 'portal-venous',
      acquisition: { inPlaneMm: [3, 3], sliceMm: [3] },
    });
    const values = new Set(grown.label.data);
    for (const organ of [1, 6, 7, 8, 9, 11]) assert.ok(values.has(organ), `organ ${organ} missing`);
    let liver = 0;
    let count = 0;
    for (let i = 0; i < grown.label.data.length; i++)
      if (grown.label.data[i] === 6) {
        liver += grown.image.data[i]!;
        count++;
      }
    assert.ok(liver / count > 70, `portal-venous liver ${(liver / count).toFixed(0)} HU: enhanced`);
  });
});
