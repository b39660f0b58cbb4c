// Evidence on a real patient, in CI: a small cohort grown from patient A (abdomen–pelvis CT with
// TotalSegmentator labels), a brief fine-tuning, then patient B — a different person, a DICOM series —
// segmented to NIfTI and DICOM SEG on the series' own grid and scored against B's TotalSegmentator map
// mapped to BTCV. The bound is loose (CI time); `npm run bench:real` measures the real figures.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { builtinLabelNames } from '../src/cohort/label-scheme.js';
import { runAnatomyDemo } from '../src/demo/anatomy-demo.js';
import { readVolume } from '../src/io/read-volume.js';
import { sharedData, sharedDataSkip } from './shared-data.js';

const skip = sharedDataSkip();

describe('a model grown from patient A segments patient B', { skip }, () => {
  const out = mkdtempSync(join(tmpdir(), 'mosmos-real-patient-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('finds B’s liver, writing NIfTI and DICOM SEG on the series grid', { timeout: 900_000 }, async (t) => {
    const names = builtinLabelNames('total');
    const series = sharedData('ct-dicom-series', 'series');
    const summary = await runAnatomyDemo({
      out: join(out, 'run'),
      anatomy: {
        image: sharedData('ct-abdomen', 'ct.nii.gz'),
        labels: sharedData('ct-abdomen', 'seg_total_61.nii.gz'),
        names,
      },
      test: { image: series, labels: sharedData('ct-dicom-series', 'seg_total_fast_31.nii.gz'), names },
      cases: 6,
      seed: 1,
      acquisition: { inPlaneMm: [3, 3], sliceMm: [3] },
      pretrainEpochs: 0,
      // 160 steps: about a minute on two idle cores.
      finetuneEpochs: 4,
      finetuneSteps: 40,
      spacing: [4, 4, 6],
      patch: 64,
      log: () => {},
    });
    t.diagnostic(`patient B Dice ${JSON.stringify(summary.test.dice)} after ${summary.finetune.steps} steps`);
    const prediction = await readVolume(summary.test.prediction);
    const scan = await readVolume(series);
    assert.deepEqual(prediction.dims.slice(0, 3), scan.dims.slice(0, 3));
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 4; c++) assert.ok(Math.abs(prediction.affine[r]![c]! - scan.affine[r]![c]!) < 1e-3);
    assert.ok(summary.test.dicomSeg && existsSync(summary.test.dicomSeg), 'no DICOM SEG written');
    assert.ok('liver' in summary.test.dice && 'spleen' in summary.test.dice, 'B’s organs not mapped');
    assert.ok(summary.test.dice.liver! > 0.5, `liver Dice ${summary.test.dice.liver} on patient B`);
  });
});
