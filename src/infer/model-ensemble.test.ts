import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tinyModelInfo } from '../../test/tiny-model.js';
import { preprocessVolume } from '../data/preprocess.js';
import { seed } from '../engine/index.js';
import { UNet2d } from '../nn/unet2d.js';
import type { Volume } from '../volume/volume.js';
import type { SegmentationModelInfo } from './model-description.js';
import { addInto, assertEnsembleCompatible, scaleInPlace } from './model-ensemble.js';
import { predictVolume } from './predict.js';
import { predictOptions, segmentVolume } from './segment.js';
import type { SegmentationModel } from './segmentation-model.js';

// The tiny test model, at the test volume's own spacing so that both share one grid.
const info: SegmentationModelInfo = {
  ...tinyModelInfo(),
  preprocess: { spacing: [2, 2, 3], intensity: { kind: 'ct', min: -200, max: 200 } },
  window: [8, 8, 1],
};

function model(runDir: string, changes: Partial<SegmentationModelInfo> = {}): SegmentationModel {
  const own = { ...info, ...changes };
  return { info: own, network: new UNet2d(own.network as ConstructorParameters<typeof UNet2d>[0]), runDir };
}

function volume(): Volume<Int16Array> {
  const dims = [12, 10, 4];
  const data = new Int16Array(12 * 10 * 4);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 53) % 500) - 250;
  const affine = [
    [2, 0, 0, 0],
    [0, 2, 0, 0],
    [0, 0, 3, 0],
    [0, 0, 0, 1],
  ];
  return { data, dims, spacing: [2, 2, 3], affine, datatype: 'int16', source: { format: 'synthetic' } };
}

describe('model ensemble', () => {
  it('labels each voxel by the argmax of the members’ mean probabilities', () => {
    seed(11);
    const members = [model('a'), model('b'), model('c')];
    const input = volume();
    const seg = segmentVolume(input, members, { postprocess: 'none' });
    // The same mean computed here, member by member, on the (already RAS, same-spacing) grid.
    const prepared = preprocessVolume(input, info.preprocess);
    const n = prepared.data.length;
    const mean = new Float32Array(3 * n);
    for (const m of members) {
      const p = predictVolume(m.network, prepared.data, prepared.dims, predictOptions(m.info));
      for (let i = 0; i < mean.length; i++) mean[i]! += p[i]! / 3;
    }
    let disagreeWithFirst = 0;
    const first = segmentVolume(input, members[0]!, { postprocess: 'none' });
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < 3; c++) if (mean[c * n + i]! > mean[best * n + i]!) best = c;
      assert.equal(seg.data[i], best, `voxel ${i}`);
      if (first.data[i] !== best) disagreeWithFirst++;
    }
    assert.ok(disagreeWithFirst > 0, 'the ensemble must differ from its first member somewhere');
  });

  it('refuses members that answer with other organs or read the input differently', () => {
    assert.doesNotThrow(() => assertEnsembleCompatible([model('a'), model('b')]));
    assert.throws(
      () =>
        assertEnsembleCompatible([
          model('a'),
          model('b', { labels: { '0': 'background', '1': 'spleen', '2': 'stomach' } }),
        ]),
      /^InputError: b: its labels \(model.json\) does not match a's/,
    );
    assert.throws(
      () =>
        assertEnsembleCompatible([
          model('a'),
          model('b', { preprocess: { ...info.preprocess, spacing: [1.5, 1.5, 3] } }),
        ]),
      /b: its preprocess \(model.json\) does not match/,
    );
    assert.throws(() => assertEnsembleCompatible([]), /at least one model/);
  });

  it('adds and scales in place', () => {
    const sum = Float32Array.of(1, 2, 3);
    addInto(sum, Float32Array.of(3, 2, 1));
    scaleInPlace(sum, 0.5);
    assert.deepEqual([...sum], [2, 2, 2]);
    assert.throws(() => addInto(sum, Float32Array.of(1)), /differ in length/);
  });
});
