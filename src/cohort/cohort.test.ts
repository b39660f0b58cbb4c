import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDataset } from '../data/dataset.js';
import { Random } from '../phantom/random.js';
import { tagReport } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';
import type { Volume } from '../volume/volume.js';
import { caseReport } from './case-report.js';
import { applyPhaseShifts, estimatePhase, labelMedians, phaseShifts } from './contrast-phase.js';
import { growCase } from './grow-case.js';
import { builtinLabelNames, mapLabelScheme, normalizeClassName, readLabelNames } from './label-scheme.js';
import { resectOrgan } from './resection.js';
import { type SourceScan, sourceFromVolumes } from './source-scan.js';
import { cohortCaseIds, writeCohort } from './write-cohort.js';

const names = builtinLabelNames('total');
const mapping = mapLabelScheme(names, 'btcv');
const TOTAL = { spleen: 1, kidneyRight: 2, kidneyLeft: 3, gallbladder: 4, liver: 5, colon: 20, aorta: 52 };

/**
 * A tiny labelled "CT" in TotalSegmentator's scheme: an elliptic body of fat with a liver, kidneys,
 * gallbladder, spleen, an aorta and a loop of colon, all unenhanced, with grain.
 */
function tinySource(): SourceScan {
  const dims = [48, 40, 24];
  const [nx, ny, nz] = dims as [number, number, number];
  const rng = new Random(3);
  const image = new Int16Array(nx * ny * nz);
  const labels = new Uint8Array(nx * ny * nz);
  const balls: [number, [number, number, number], number, number][] = [
    [TOTAL.liver, [15, 20, 12], 7, 50],
    [TOTAL.kidneyRight, [14, 10, 8], 3.5, 30],
    [TOTAL.kidneyLeft, [33, 10, 8], 3.5, 30],
    [TOTAL.gallbladder, [21, 28, 13], 2.5, 10],
    [TOTAL.spleen, [35, 19, 13], 4, 45],
    [TOTAL.colon, [28, 30, 6], 4, -20],
  ];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        const inBody = ((x - 24) / 22) ** 2 + ((y - 20) / 18) ** 2 <= 1;
        image[i] = inBody ? Math.round(-100 + rng.normal(0, 15)) : -1000;
        if (!inBody) continue;
        for (const [label, c, r, hu] of balls) {
          if ((x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= r * r) {
            labels[i] = label;
            image[i] = Math.round(hu + rng.normal(0, 10));
          }
        }
        if ((x - 24) ** 2 + (y - 14) ** 2 <= 2.5) {
          labels[i] = TOTAL.aorta;
          image[i] = Math.round(40 + rng.normal(0, 8));
        }
      }
  const affine = [
    [3, 0, 0, -72],
    [0, 3, 0, -60],
    [0, 0, 3, -36],
    [0, 0, 0, 1],
  ];
  const volume = (data: Int16Array | Uint8Array, datatype: 'int16' | 'uint8'): Volume => ({
    data,
    dims,
    spacing: [3, 3, 3],
    affine: affine.map((r) => [...r]),
    datatype,
  });
  return sourceFromVolumes(volume(image, 'int16'), volume(labels, 'uint8'), names, mapping);
}

const source = tinySource();
const fixed = { acquisition: { inPlaneMm: [3, 3] as [number, number], sliceMm: [3] } };
/** Only the findings a test forces. */
const plainOnly = { ...fixed, variation: 0 };
const BTCV = { spleen: 1, rightKidney: 2, gallbladder: 4, liver: 6, aorta: 8 };

function meanWhere(image: Volume, label: Volume, value: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < label.data.length; i++)
    if (label.data[i] === value) {
      sum += image.data[i]!;
      count++;
    }
  return sum / count;
}

describe('label schemes', () => {
  it('maps TotalSegmentator names onto the BTCV organs by name, the rest to background', () => {
    const lookup = (name: string) =>
      mapping.lookup[Number(Object.entries(names).find(([, n]) => n === name)![0])];
    assert.equal(lookup('spleen'), 1);
    assert.equal(lookup('kidney_right'), 2);
    assert.equal(lookup('kidney_left'), 3);
    assert.equal(lookup('esophagus'), 5);
    assert.equal(lookup('liver'), 6);
    assert.equal(lookup('aorta'), 8);
    assert.equal(lookup('inferior_vena_cava'), 9);
    assert.equal(lookup('portal_vein_and_splenic_vein'), 10);
    assert.equal(lookup('adrenal_gland_right'), 12);
    assert.equal(lookup('adrenal_gland_left'), 13);
    assert.equal(lookup('kidney_cyst_left'), 3, 'a kidney cyst keeps its kidney label, as BTCV lesions do');
    for (const unmapped of [
      'colon',
      'small_bowel',
      'superior_vena_cava',
      'vertebrae_L1',
      'lung_upper_lobe_left',
    ])
      assert.equal(lookup(unmapped), 0, unmapped);
    assert.equal(Object.keys(mapping.sources).length, 13);
  });

  it('normalises names written either way', () => {
    assert.equal(normalizeClassName('Kidney_Right'), 'right kidney');
    assert.equal(normalizeClassName('left adrenal gland'), 'left adrenal gland');
    assert.equal(normalizeClassName('adrenal_gland_left'), 'left adrenal gland');
  });

  it('reads names files: one scheme, several schemes, MSD and nnU-Net v2 label tables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosmos-names-'));
    try {
      const write = (name: string, json: unknown) => {
        writeFileSync(join(dir, name), JSON.stringify(json));
        return join(dir, name);
      };
      assert.deepEqual(readLabelNames(write('a.json', { 1: 'liver' })), { 1: 'liver' });
      const several = write('b.json', { total: { 2: 'kidney_right' }, other: { 1: 'x' } });
      assert.deepEqual(readLabelNames(several, 'total'), { 2: 'kidney_right' });
      assert.throws(() => readLabelNames(several), /several schemes.*--scheme/);
      assert.deepEqual(readLabelNames(write('c.json', { labels: { 0: 'background', 1: 'spleen' } })), {
        0: 'background',
        1: 'spleen',
      });
      assert.deepEqual(readLabelNames(write('d.json', { labels: { background: 0, liver: 6 } })), {
        0: 'background',
        6: 'liver',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('growCase', () => {
  it('writes image and label on one grid, with BTCV values only', () => {
    const grown = growCase(source, { seed: 5, ...fixed });
    assert.deepEqual(grown.image.dims, grown.label.dims);
    assert.deepEqual(grown.image.affine, grown.label.affine);
    const values = new Set(grown.label.data);
    for (const v of values) assert.ok([0, 1, 2, 3, 4, 6, 8].includes(v), `unexpected label ${v}`);
    assert.ok(values.has(BTCV.liver));
  });

  it('is a pure function of its seed', () => {
    const a = growCase(source, { seed: 11, ...fixed });
    const b = growCase(source, { seed: 11, ...fixed });
    const c = growCase(source, { seed: 12, ...fixed });
    assert.deepEqual(a.image.data, b.image.data);
    assert.deepEqual(a.label.data, b.label.data);
    assert.deepEqual(a.findings, b.findings);
    assert.notDeepEqual(a.image.data, c.image.data);
  });

  // Without the normal size ranges the ratio moves by ×1.3 (voxelisation of a tiny spleen); with them ×2.
  it('varies healthy organ sizes between cases (the spleen against the liver)', () => {
    const ratios: number[] = [];
    for (let seed = 20; seed < 32; seed++) {
      const { label } = growCase(source, { seed, displacementMm: 0, ...plainOnly });
      const count = (v: number) => label.data.reduce((n, l) => n + (l === v ? 1 : 0), 0);
      ratios.push(count(BTCV.spleen) / count(BTCV.liver));
    }
    const spread = Math.max(...ratios) / Math.min(...ratios);
    assert.ok(spread > 1.6, `spleen/liver volume ratio varies only ×${spread.toFixed(2)}`);
  });

  it('removes a resected organ from the label map and states it absent in the report', () => {
    const grown = growCase(source, { seed: 2, findings: { absent: ['gallbladder'] }, ...plainOnly });
    assert.ok(!grown.label.data.includes(BTCV.gallbladder), 'gallbladder label still present');
    assert.deepEqual(grown.findings.procedures, ['cholecystectomy']);
    const vocabulary = getVocabulary('btcv');
    const report = caseReport(grown.label, grown.findings, grown.phase, vocabulary, mapping.targetNames, 2);
    const tags = new Map(tagReport(report.text, vocabulary).map((t) => [t.tag, t.status]));
    assert.equal(tags.get('gallbladder'), 'absent', report.text);
    assert.equal(report.tags.gallbladder, 'absent');
    assert.equal(tags.get('liver'), 'present', report.text);
  });

  it('shifts organs to the contrast phase asked for', () => {
    assert.equal(source.phase, 'non-contrast');
    const arterial = growCase(source, { seed: 4, phase: 'arterial', displacementMm: 0, ...plainOnly });
    const plain = growCase(source, { seed: 4, phase: 'non-contrast', displacementMm: 0, ...plainOnly });
    const aorta = meanWhere(arterial.image, arterial.label, BTCV.aorta);
    // At least 40 % of the way to the arterial range (ENHANCEMENT_STRENGTH), blurred at the small aorta's rim.
    assert.ok(aorta > 110, `arterial aorta ${aorta} HU`);
    assert.ok(meanWhere(plain.image, plain.label, BTCV.aorta) < 80);
    // A small organ's mean mixes in its fat-blurred rim: compare phases rather than absolute values.
    const spleen = meanWhere(arterial.image, arterial.label, BTCV.spleen);
    const plainSpleen = meanWhere(plain.image, plain.label, BTCV.spleen);
    assert.ok(spleen > plainSpleen + 30, `arterial spleen ${spleen} HU vs ${plainSpleen} unenhanced`);
    assert.match(
      caseReport(arterial.label, arterial.findings, 'arterial', getVocabulary('btcv'), mapping.targetNames, 1)
        .text,
      /arterial phase/,
    );
  });
});

describe('resection and phase on the source', () => {
  it('refills a resected organ with the scan’s own tissue, not a flat value', () => {
    const image = source.image.slice();
    const labels = source.labels.slice();
    const before = labels.reduce((n, l) => n + (l === TOTAL.spleen ? 1 : 0), 0);
    const refilled: number[] = [];
    const inSpleen = labels.map((l) => (l === TOTAL.spleen ? 1 : 0));
    resectOrgan(
      { image, labels, dims: source.dims, organValues: [TOTAL.spleen], donorValues: [TOTAL.colon] },
      new Random(1),
    );
    assert.ok(before > 100);
    assert.ok(!labels.includes(TOTAL.spleen));
    inSpleen.forEach((v, i) => {
      if (v) refilled.push(image[i]!);
    });
    const mean = refilled.reduce((a, b) => a + b, 0) / refilled.length;
    const sd = Math.sqrt(refilled.reduce((a, b) => a + (b - mean) ** 2, 0) / refilled.length);
    assert.ok(mean < 0 && mean > -200, `refilled mean ${mean} HU is not fat/bowel`);
    assert.ok(sd > 5, `refilled tissue is flat (sd ${sd.toFixed(1)} HU)`);
  });

  it('estimates the phase from the aorta and moves each organ to its phase range', () => {
    const medians = labelMedians(source.image, source.labels, 255);
    assert.equal(estimatePhase(medians, names), 'non-contrast');
    const image = source.image.slice();
    applyPhaseShifts(
      image,
      source.labels,
      source.dims,
      phaseShifts('portal-venous', 'non-contrast', medians, names, new Random(1)),
    );
    const after = labelMedians(image, source.labels, 255);
    // Enhanced, by a strength drawn per case (ENHANCEMENT_STRENGTH): at least 40 % of the way to the
    // portal-venous range, never past it.
    assert.ok(
      after.get(TOTAL.liver)! >= 65 && after.get(TOTAL.liver)! <= 130,
      `liver ${after.get(TOTAL.liver)}`,
    );
    assert.ok(after.get(TOTAL.aorta)! >= 80, `aorta ${after.get(TOTAL.aorta)}`);
    assert.ok(
      Math.abs(after.get(TOTAL.gallbladder)! - medians.get(TOTAL.gallbladder)!) < 15,
      'bile does not enhance',
    );
  });
});

describe('writeCohort', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-cohort-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers every case as a BTCV training case', () => {
    const ids = cohortCaseIds(42);
    assert.equal(ids.length, 42);
    for (const id of ['0035', '0036', '0040']) assert.ok(!ids.includes(id));
    assert.equal(ids.at(-1), '0048');
  });

  it('writes each case to disk before growing the next (streaming), readable by the BTCV adapter', async () => {
    const out = join(dir, 'cohort');
    const seen: string[] = [];
    await writeCohort(out, source, {
      cases: 3,
      seed: 9,
      acquisition: fixed.acquisition,
      onCase: (done, _total, written) => {
        assert.ok(existsSync(written.image) && existsSync(written.label), 'case not on disk when reported');
        // The next case's files do not exist yet: one case in memory at a time.
        const next = written.image.replace(
          /img(\d+)\.nii\.gz$/,
          (_, n) => `img${String(Number(n) + 1).padStart(4, '0')}.nii.gz`,
        );
        assert.ok(!existsSync(next));
        seen.push(String(done));
      },
    });
    assert.deepEqual(seen, ['1', '2', '3']);
    const pairs = readFileSync(join(out, 'pairs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(pairs.length, 3);
    for (const pair of pairs) {
      assert.equal(pair.generated, true);
      assert.ok(existsSync(join(out, pair.image)));
    }
    const dataset = openDataset(out, 'btcv');
    assert.equal(dataset.cases.length, 3);
    assert.ok(dataset.cases.every((c) => c.split === 'train' && c.label));
    await assert.rejects(writeCohort(out, source, { cases: 1, seed: 1 }), /exists.*--force/);
  });

  it('alternates cases between several sources and records each case’s source', async () => {
    const out = join(dir, 'two-sources');
    const second: SourceScan = { ...source, path: 'second.nii.gz', modality: 'mr' };
    await writeCohort(out, [source, second], { cases: 3, seed: 9, acquisition: fixed.acquisition });
    const pairs = readFileSync(join(out, 'pairs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      pairs.map((p) => p.source),
      [source.path, 'second.nii.gz', source.path],
    );
    const record = JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8'));
    assert.deepEqual(
      record.sources.map((s: { path: string; modality: string; cases: number }) => [
        s.path,
        s.modality,
        s.cases,
      ]),
      [
        [source.path, 'ct', 2],
        ['second.nii.gz', 'mr', 1],
      ],
    );
    // The first case is the one a single-source cohort with the same seed grows.
    const single = join(dir, 'one-source');
    await writeCohort(single, source, { cases: 1, seed: 9, acquisition: fixed.acquisition });
    assert.deepEqual(
      readFileSync(join(single, 'img', 'img0001.nii.gz')),
      readFileSync(join(out, 'img', 'img0001.nii.gz')),
    );
    const amos: SourceScan = {
      ...source,
      path: 'amos-mapped.nii.gz',
      mapping: mapLabelScheme(names, 'amos'),
    };
    await assert.rejects(
      writeCohort(join(dir, 'mixed'), [source, amos], { cases: 2, seed: 1 }),
      /amos-mapped\.nii\.gz: its labels are mapped onto amos/,
    );
    assert.ok(!existsSync(join(dir, 'mixed', 'pairs.jsonl')), 'nothing half-written');
  });
});
