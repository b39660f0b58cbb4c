import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDataset } from '../data/dataset.js';
import { readPairs } from '../data/pairs.js';
import { readNifti } from '../io/nifti/index.js';
import { tagReport } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';
import { type PhantomPair, writePhantomDataset } from './dataset.js';
import { generatePhantom } from './generate.js';

describe('writePhantomDataset', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mosmos-phantom-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const dir = join(tmp, 'synthetic');
  const size: [number, number, number] = [48, 48, 24];
  const forced = [
    { absent: ['gallbladder' as const], liverLesions: 2 },
    { absent: ['spleen' as const], enlarged: ['liver' as const] },
    { absent: ['right kidney' as const], renalCysts: 1 },
  ];
  const written = writePhantomDataset(dir, { cases: 3, seed: 4, size, findings: (i) => forced[i] });

  it('writes a BTCV folder that the dataset reader opens', async () => {
    const result = await written;
    for (const id of ['0001', '0002', '0003']) {
      assert.ok(existsSync(join(dir, 'img', `img${id}.nii.gz`)));
      assert.ok(existsSync(join(dir, 'label', `label${id}.nii.gz`)));
    }
    const dataset = openDataset(dir);
    assert.equal(dataset.format, 'btcv');
    assert.equal(dataset.cases.length, 3);
    // The files hold exactly the generated case.
    const first = result.cases[0]!;
    const again = generatePhantom({ seed: first.seed, size, findings: forced[0] });
    const image = await readNifti(join(dir, first.image));
    const label = await readNifti(join(dir, first.label));
    assert.deepEqual(Array.from(image.data), Array.from(again.image.data));
    assert.deepEqual(Array.from(label.data), Array.from(again.label.data));
    assert.deepEqual(image.dims, [48, 48, 24]);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 4; c++)
        assert.ok(Math.abs(image.affine[r]![c]! - again.image.affine[r]![c]!) < 1e-4);
    }
  });

  it('writes pairs.jsonl with image paths relative to it and generated reports', async () => {
    await written;
    const manifest = readPairs(join(dir, 'pairs.jsonl'));
    assert.equal(manifest.pairs.length, 3);
    assert.ok(manifest.pairs.every((p) => p.generated && existsSync(p.image)));
    const lines = readFileSync(join(dir, 'pairs.jsonl'), 'utf8').trim().split('\n');
    const pairs = lines.map((l) => JSON.parse(l) as PhantomPair);
    assert.deepEqual(
      pairs.map((p) => [p.case, p.image]),
      [
        ['0001', 'img/img0001.nii.gz'],
        ['0002', 'img/img0002.nii.gz'],
        ['0003', 'img/img0003.nii.gz'],
      ],
    );
  });

  it('states each case’s clinical variation in its report and tags', async () => {
    const { cases } = await written;
    const vocabulary = getVocabulary('btcv');
    const read = (p: PhantomPair) => new Map(tagReport(p.report, vocabulary).map((t) => [t.tag, t.status]));
    const [c1, c2, c3] = cases as [PhantomPair, PhantomPair, PhantomPair];
    assert.match(c1.report, /cholecystectomy/i);
    assert.match(c1.report, /2 hypodense lesions in the liver/);
    assert.match(c3.report, /simple cyst in the left kidney/);
    assert.equal(read(c1).get('gallbladder'), 'absent');
    assert.equal(read(c1).get('liver'), 'abnormal');
    assert.equal(c1.tags.gallbladder, 'absent');
    assert.equal(c1.tags.liver, 'abnormal');
    assert.equal(read(c2).get('spleen'), 'absent');
    assert.equal(read(c2).get('liver'), 'abnormal');
    assert.equal(read(c3).get('right kidney'), 'absent');
    assert.equal(read(c3).get('left kidney'), 'abnormal');
    assert.equal(c3.tags['right kidney'], 'absent');
    // Organs that were not varied are stated present.
    for (const c of cases) assert.equal(c.tags.aorta, 'present');
  });

  it('refuses an existing folder without force and replaces it with force', async () => {
    await written;
    await assert.rejects(writePhantomDataset(dir, { cases: 1, seed: 5, size }), /exists/);
    const other = join(tmp, 'occupied');
    await writePhantomDataset(other, { cases: 2, seed: 5, size: [24, 24, 12] });
    writeFileSync(join(other, 'stale.txt'), 'x');
    await writePhantomDataset(other, { cases: 1, seed: 6, size: [24, 24, 12], force: true });
    assert.ok(!existsSync(join(other, 'stale.txt')));
    assert.ok(!existsSync(join(other, 'img', 'img0002.nii.gz')));
    assert.equal(readPairs(join(other, 'pairs.jsonl')).pairs.length, 1);
    await assert.rejects(writePhantomDataset(join(tmp, 'bad'), { cases: 0, seed: 1 }), /number of cases/);
    assert.ok(!existsSync(join(tmp, 'bad')));
  });
});
