import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readNifti } from '../io/nifti/index.js';
import { tagReport } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';
import { statusPerTag } from '../train/tag-targets.js';
import { type PhantomPair, writePhantomDataset } from './dataset.js';
import { cropToScanRange, scanRangeStream } from './field-of-view.js';
import { generatePhantom } from './generate.js';
import { BTCV_LABELS, PHANTOM_ORGANS } from './organs.js';

describe("writePhantomDataset with scanRange 'vary'", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mosmos-scan-range-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const size: [number, number, number] = [40, 40, 32];
  const common = { cases: 16, seed: 7, size, variation: 1 };
  const full = writePhantomDataset(join(tmp, 'full'), common);
  const vary = full.then(() => writePhantomDataset(join(tmp, 'vary'), { ...common, scanRange: 'vary' }));
  const vocabulary = getVocabulary('btcv');
  const organsIn = (data: ArrayLike<number>) => new Set(Array.from(data));

  it('agrees per case: an organ is absent from the label map exactly when the report says so', async () => {
    const { root, cases } = await vary;
    for (const pair of cases) {
      const label = await readNifti(join(root, pair.label));
      const labelled = organsIn(label.data);
      const stated = statusPerTag(tagReport(pair.report, vocabulary));
      for (const organ of PHANTOM_ORGANS) {
        const inMap = labelled.has(BTCV_LABELS[organ]);
        assert.equal(stated[organ] === 'absent', !inMap, `case ${pair.case}, ${organ}: ${stated[organ]}`);
        assert.equal(pair.tags[organ], stated[organ], `case ${pair.case}, ${organ}`);
      }
      const said = new Map(tagReport(pair.report, vocabulary).map((t) => [t.tag, t.evidence.sentence]));
      for (const organ of pair.fieldOfView!.outside) {
        assert.ok(!labelled.has(BTCV_LABELS[organ]));
        assert.ok(!pair.findings.absent.includes(organ), 'resected organs are not out of view');
        // Out of view is not resected: the report must not invent a surgery.
        assert.doesNotMatch(said.get(organ)!, /status post|ectomy|surgically|removed/i);
      }
    }
  });

  it('draws each case’s range from that case’s seed alone', async () => {
    const { cases } = await vary;
    for (const pair of cases.slice(0, 4)) {
      const generated = generatePhantom({ seed: pair.seed, size, variation: common.variation });
      const { fieldOfView } = cropToScanRange(generated, scanRangeStream(pair.seed));
      assert.deepEqual(pair.fieldOfView, fieldOfView);
    }
  });

  it('writes each case as the full case cropped to its slices, the affine moved with the crop', async () => {
    const [f, v] = [await full, await vary];
    for (let i = 0; i < v.cases.length; i++) {
      const pair = v.cases[i]!;
      const [k0, k1] = pair.fieldOfView!.slices;
      const [image, whole] = [
        await readNifti(join(v.root, pair.image)),
        await readNifti(join(f.root, f.cases[i]!.image)),
      ];
      assert.deepEqual(image.dims, [size[0], size[1], k1 - k0]);
      const plane = size[0] * size[1];
      assert.deepEqual(Array.from(image.data), Array.from(whole.data.subarray(k0 * plane, k1 * plane)));
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) assert.ok(Math.abs(image.affine[r]![c]! - whole.affine[r]![c]!) < 1e-5);
        const origin = whole.affine[r]![3]! + k0 * whole.affine[r]![2]!;
        assert.ok(Math.abs(image.affine[r]![3]! - origin) < 1e-3, `case ${pair.case} row ${r}`);
      }
      const label = await readNifti(join(v.root, pair.label));
      assert.deepEqual(label.affine, image.affine);
    }
  });

  it('leaves every organ but the aorta and IVC out of some cases, and counts the absences', async () => {
    const { root, cases, absentCases } = await vary;
    const counted = Object.fromEntries(PHANTOM_ORGANS.map((o) => [o, 0]));
    for (const pair of cases) {
      const labelled = organsIn((await readNifti(join(root, pair.label))).data);
      for (const organ of PHANTOM_ORGANS) if (!labelled.has(BTCV_LABELS[organ])) counted[organ]!++;
    }
    assert.deepEqual(absentCases, counted);
    for (const organ of PHANTOM_ORGANS) {
      // The two vessels run through every range that holds other organs (scan-range.ts).
      if (organ === 'aorta' || organ === 'inferior vena cava') assert.equal(counted[organ], 0);
      else assert.ok(counted[organ]! > 0 && counted[organ]! < cases.length, `${organ}: ${counted[organ]}`);
    }
    assert.ok(new Set(cases.map((c) => c.fieldOfView!.kind)).size >= 3);
  });

  it('never measures an organ the scan cuts', async () => {
    const { cases } = await vary;
    let cut = 0;
    for (const pair of cases) {
      const said = new Map(tagReport(pair.report, vocabulary).map((t) => [t.tag, t.evidence.sentence]));
      for (const organ of pair.fieldOfView!.cut) {
        cut++;
        assert.doesNotMatch(said.get(organ)!, /\d cm\b/, `case ${pair.case}, ${organ}`);
      }
    }
    assert.ok(cut > 0);
  });

  it("writes 'full' bit for bit as the cohort written before scan ranges existed", async () => {
    await vary;
    const options = { cases: 3, seed: 3, size: [40, 40, 24] as [number, number, number], variation: 2.5 };
    const written = await writePhantomDataset(join(tmp, 'pinned'), {
      ...options,
      orientation: 'LPS',
      scanRange: 'full',
    });
    const hash = createHash('sha256');
    for (const pair of written.cases) {
      for (const file of [pair.image, pair.label]) {
        const volume = await readNifti(join(written.root, file));
        hash.update(new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength));
        hash.update(JSON.stringify(volume.affine));
      }
    }
    hash.update(readFileSync(written.pairs));
    // Voxels, affines and pairs.jsonl of `mosmos phantom --cases 3 --size 40,40,24 --orientation LPS
    // --seed 3` at commit 3807df6. A deliberate change to the phantom or the reports updates this.
    assert.equal(hash.digest('hex'), '6b4da8641b6535767eda5a9c0349ef6adfcf4b35b32d668331d084ea2e4868f5');
  });

  it("writes 'full' exactly as without the option, with no field of view", async () => {
    await vary;
    const explicit = await writePhantomDataset(join(tmp, 'explicit'), {
      ...common,
      cases: 3,
      scanRange: 'full',
    });
    const implicit = await writePhantomDataset(join(tmp, 'implicit'), { ...common, cases: 3 });
    for (const folder of ['img', 'label']) {
      for (const file of readdirSync(join(implicit.root, folder))) {
        assert.deepEqual(
          readFileSync(join(explicit.root, folder, file)),
          readFileSync(join(implicit.root, folder, file)),
        );
      }
    }
    assert.equal(readFileSync(explicit.pairs, 'utf8'), readFileSync(implicit.pairs, 'utf8'));
    const pairs = readFileSync(implicit.pairs, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PhantomPair);
    assert.ok(pairs.every((p) => p.fieldOfView === undefined));
    await assert.rejects(
      writePhantomDataset(join(tmp, 'bad'), { ...common, scanRange: 'some' as 'vary' }),
      /scan range must be/,
    );
  });
});
