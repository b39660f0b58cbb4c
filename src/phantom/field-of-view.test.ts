import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cropToScanRange,
  MAX_SLIVER_ML,
  MIN_VISIBLE_FRACTION,
  MIN_VISIBLE_ORGANS,
  notVisualised,
  organSliceCounts,
} from './field-of-view.js';
import { generatePhantom } from './generate.js';
import { BTCV_LABELS, PHANTOM_ORGANS } from './organs.js';
import { Random } from './random.js';
import { drawScanRange, MIN_SCAN_LENGTH_MM, SCAN_RANGES, type ScanRangeKind } from './scan-range.js';

const size: [number, number, number] = [40, 40, 32];
const plane = size[0] * size[1];

it('calls a remnant not visualised only when it is under a tenth of the organ and under 5 mL', () => {
  assert.equal(MIN_VISIBLE_FRACTION, 0.1);
  assert.equal(MAX_SLIVER_ML, 5);
  assert.equal(notVisualised(9, 100, 0.1), true); // 9 %, 0.9 mL
  assert.equal(notVisualised(10, 100, 0.1), false); // 10 %
  assert.equal(notVisualised(60, 1000, 0.1), false); // 6 % but 6 mL: a liver's tip a reader sees
  assert.equal(notVisualised(0, 100, 0.1), true);
});

describe('drawScanRange', () => {
  const at = { volumeTop: 130, volumeBottom: -120, dome: 115, liverTip: -20 };

  it('draws every kind near its share, inside the volume and at least the minimum length', () => {
    const rng = new Random(1);
    const drawn = new Map<ScanRangeKind, number>();
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const range = drawScanRange(rng, at);
      drawn.set(range.kind, (drawn.get(range.kind) ?? 0) + 1);
      assert.ok(range.top <= at.volumeTop && range.bottom >= at.volumeBottom);
      assert.ok(range.top - range.bottom >= MIN_SCAN_LENGTH_MM - 1e-9);
    }
    assert.equal(Math.abs(SCAN_RANGES.reduce((s, r) => s + r.share, 0) - 1) < 1e-12, true);
    // Binomial sd at n = 4000 is under 0.007; 0.03 is four of them.
    for (const rule of SCAN_RANGES) assert.ok(Math.abs((drawn.get(rule.kind) ?? 0) / n - rule.share) < 0.03);
  });

  it('lengthens a short range away from the volume edge it starts at', () => {
    const short = { ...at, liverTip: -100 }; // below the liver leaves 20 mm
    const rng = new Random(2);
    for (let i = 0; i < 200; i++) {
      const range = drawScanRange(rng, short);
      if (range.kind !== 'below the liver') continue;
      assert.equal(range.bottom, at.volumeBottom);
      assert.equal(range.top, at.volumeBottom + MIN_SCAN_LENGTH_MM);
    }
  });
});

describe('cropToScanRange', () => {
  const full = generatePhantom({ seed: 21, size, variation: 0 });
  const voxelMl = full.label.spacing.reduce((v, s) => v * s, 1) / 1000;
  const fullCounts = organSliceCounts(full.label);
  // Several draws, so that each of the five kinds of range is exercised on the same body.
  const crops = Array.from({ length: 24 }, (_, i) => cropToScanRange(full, new Random(100 + i)));

  it('crops slices only: same voxels, same spacing and orientation, origin moved to the first kept slice', () => {
    for (const { phantom, fieldOfView } of crops) {
      const [k0, k1] = fieldOfView.slices;
      assert.deepEqual(phantom.image.dims, [size[0], size[1], k1 - k0]);
      assert.deepEqual(phantom.label.dims, phantom.image.dims);
      assert.deepEqual(phantom.image.spacing, full.image.spacing);
      for (const volume of [phantom.image, phantom.label]) {
        for (let r = 0; r < 4; r++) {
          for (let c = 0; c < 3; c++) assert.equal(volume.affine[r]![c], full.image.affine[r]![c]);
          // Voxel (0, 0, 0) of the crop is voxel (0, 0, k0) of the generated case.
          const origin = full.image.affine[r]![3]! + k0 * full.image.affine[r]![2]!;
          assert.ok(Math.abs(volume.affine[r]![3]! - origin) < 1e-9);
        }
      }
      const slab = full.image.data.subarray(k0 * plane, k1 * plane);
      assert.deepEqual(phantom.image.data, slab);
      assert.equal(fieldOfView.zMm[0], full.image.affine[2]![2]! * k0 + full.image.affine[2]![3]!);
    }
  });

  it('removes the label of an organ that is only a sliver in view and lists it outside', () => {
    for (const { phantom, fieldOfView } of crops) {
      const [k0, k1] = fieldOfView.slices;
      const hidden = new Set(fieldOfView.outside.map((o) => BTCV_LABELS[o]));
      for (let v = 0; v < phantom.label.data.length; v++) {
        const was = full.label.data[k0 * plane + v]!;
        assert.equal(phantom.label.data[v], hidden.has(was) ? 0 : was);
      }
      let visible = 0;
      for (const organ of PHANTOM_ORGANS) {
        const perSlice = fullCounts[BTCV_LABELS[organ]]!;
        const total = perSlice.reduce((s, n) => s + n, 0);
        const inside = perSlice.slice(k0, k1).reduce((s, n) => s + n, 0);
        if (total === 0) continue;
        const sliver = notVisualised(inside, total, voxelMl);
        assert.equal(fieldOfView.outside.includes(organ), sliver, organ);
        if (!sliver) visible++;
      }
      assert.ok(visible >= MIN_VISIBLE_ORGANS);
    }
    const kinds = new Set(crops.map((c) => c.fieldOfView.kind));
    assert.equal(kinds.size, SCAN_RANGES.length, [...kinds].join(', '));
    assert.ok(crops.some((c) => c.fieldOfView.outside.length > 0));
  });

  it('calls an organ cut when it reaches the first or last kept slice, except the through-going tubes', () => {
    for (const { phantom, fieldOfView } of crops) {
      const counts = organSliceCounts(phantom.label);
      const nz = phantom.label.dims[2]!;
      for (const organ of PHANTOM_ORGANS) {
        const perSlice = counts[BTCV_LABELS[organ]]!;
        const atEdge = perSlice[0]! > 0 || perSlice[nz - 1]! > 0;
        const tube = ['aorta', 'inferior vena cava', 'esophagus'].includes(organ);
        assert.equal(fieldOfView.cut.includes(organ), atEdge && !tube, organ);
      }
    }
  });

  it('draws again a range that shows fewer than three organs', () => {
    // Without the right kidney and the gallbladder, a scan from below the liver's tip often holds only
    // the aorta, the IVC and the left kidney.
    const resected = generatePhantom({
      seed: 23,
      size,
      variation: 0,
      findings: { absent: ['right kidney', 'left kidney', 'gallbladder'] },
    });
    const counts = organSliceCounts(resected.label);
    const ml = resected.label.spacing.reduce((v, s) => v * s, 1) / 1000;
    for (let i = 0; i < 40; i++) {
      const { fieldOfView } = cropToScanRange(resected, new Random(500 + i));
      const [k0, k1] = fieldOfView.slices;
      const visible = PHANTOM_ORGANS.filter((organ) => {
        const perSlice = counts[BTCV_LABELS[organ]]!;
        const inside = perSlice.slice(k0, k1).reduce((sum, n) => sum + n, 0);
        const total = perSlice.reduce((sum, n) => sum + n, 0);
        return total > 0 && !notVisualised(inside, total, ml);
      });
      assert.ok(visible.length >= MIN_VISIBLE_ORGANS, `stream ${500 + i}: ${visible.join(', ')}`);
    }
  });

  it('is a pure function of the phantom and the stream', () => {
    const again = cropToScanRange(full, new Random(100));
    assert.deepEqual(again.fieldOfView, crops[0]!.fieldOfView);
    assert.deepEqual(again.phantom.label.data, crops[0]!.phantom.label.data);
  });

  it('keeps sizes of whole organs only, and lesions in view', () => {
    const varied = generatePhantom({
      seed: 21,
      size,
      variation: 0,
      findings: { enlarged: ['liver'], liverLesions: 3 },
    });
    const outcomes = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const { phantom, fieldOfView } = cropToScanRange(varied, new Random(100 + i));
      const seen = !fieldOfView.outside.includes('liver');
      const whole = seen && !fieldOfView.cut.includes('liver');
      assert.deepEqual(phantom.findings.enlarged, whole ? ['liver'] : []);
      const [lo, hi] = fieldOfView.zMm;
      const half = full.image.spacing[2] / 2;
      const inView = varied.findings.lesions.filter(
        (l) => seen && l.center[2] >= lo - half && l.center[2] <= hi + half,
      );
      assert.deepEqual(phantom.findings.lesions, inView);
      outcomes.add(whole ? 'sized' : 'unsized');
      outcomes.add(inView.length < varied.findings.lesions.length ? 'lesion dropped' : 'lesions kept');
    }
    // Both sides of each rule were exercised.
    assert.equal(outcomes.size, 4, [...outcomes].join(', '));
  });
});
