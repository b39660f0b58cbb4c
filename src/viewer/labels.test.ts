import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { labelColor, labelJsonPaths, legendFor, readLabelNames } from './labels.js';

describe('viewer labels', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mosmos-labels-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('gives the BTCV organs distinct colours and any other label a colour', () => {
    const colours = Array.from({ length: 40 }, (_, i) => labelColor(i + 1).join(','));
    assert.equal(new Set(colours.slice(0, 13)).size, 13);
    for (const c of colours) assert.match(c, /^\d{1,3},\d{1,3},\d{1,3}$/);
    assert.ok(labelColor(57).every((v) => v >= 0 && v <= 255));
  });

  it('reads names from the JSON beside the segmentation, else the BTCV defaults', () => {
    const seg = join(tmp, 'seg.nii.gz');
    assert.deepEqual(labelJsonPaths(seg), [`${seg}.json`, join(tmp, 'seg.json')]);
    assert.equal(readLabelNames(seg)[6], 'liver');
    writeFileSync(
      join(tmp, 'seg.json'),
      JSON.stringify({ labels: { '0': 'background', '1': 'left ventricle' } }),
    );
    assert.deepEqual(readLabelNames(seg), { 1: 'left ventricle' });
    writeFileSync(`${seg}.json`, '{"labels": [1, 2]}');
    assert.throws(() => readLabelNames(seg), /seg\.nii\.gz\.json: expected/);
    writeFileSync(`${seg}.json`, '{oops');
    assert.throws(() => readLabelNames(seg), /seg\.nii\.gz\.json: not valid JSON/);
  });

  it('lists each present label once, in order, naming unknown ones by value', () => {
    const legend = legendFor([6, 1, 0, 6, 99], { 1: 'spleen', 6: 'liver' });
    assert.deepEqual(
      legend.map((e) => [e.value, e.name]),
      [
        [1, 'spleen'],
        [6, 'liver'],
        [99, 'label 99'],
      ],
    );
  });
});
