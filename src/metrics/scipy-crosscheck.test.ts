// Cross-checks Dice, HD95 and NSD on a real 61-class label map against an independent computation
// in Python with scipy (run only as a reference, never by the product) (`binary_erosion` edges, `distance_transform_edt` with sampling,
// `numpy.percentile`), written the way MONAI defines the metrics. The prediction is the label map
// shifted by (2, −1, 1) voxels, with the liver eroded by one voxel and the right kidney removed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedData, sharedDataSkip } from '../../test/shared-data.js';
import type { Volume } from '../volume/volume.js';
import { evaluateCase } from './evaluate.js';

const python = '/usr/bin/python3';

const script = `
import json, sys
import numpy as np, nibabel as nib
from scipy.ndimage import binary_erosion, distance_transform_edt
src, out, tau = sys.argv[1], sys.argv[2], float(sys.argv[3])
img = nib.load(src)
gt = np.asanyarray(img.dataobj).astype(np.uint8)
spacing = [float(z) for z in img.header.get_zooms()[:3]]
pred = np.zeros_like(gt)
pred[2:, :-1, 1:] = gt[:-2, 1:, :-1]
liver = pred == 5
pred[liver & ~binary_erosion(liver)] = 0
pred[pred == 2] = 0
labels = sorted((set(np.unique(gt).tolist()) | set(np.unique(pred).tolist())) - {0})
def edges(m):
    return binary_erosion(m) ^ m
rows = []
for l in labels:
    p, g = pred == l, gt == l
    # Crop to the union's box plus one background voxel on every side (the same edges, since
    # erosion treats outside the image as background), only to keep this reference fast.
    idx = np.nonzero(p | g)
    box = tuple(slice(int(i.min()), int(i.max()) + 1) for i in idx)
    p, g = np.pad(p[box], 1), np.pad(g[box], 1)
    dice = 2.0 * float((p & g).sum()) / float(p.sum() + g.sum())
    ep, eg = edges(p), edges(g)
    if not ep.any() or not eg.any():
        rows.append({"label": l, "dice": dice, "hd95": None, "nsd": 0.0})
        continue
    dpg = distance_transform_edt(~eg, sampling=spacing)[ep]
    dgp = distance_transform_edt(~ep, sampling=spacing)[eg]
    hd95 = max(float(np.percentile(dpg, 95)), float(np.percentile(dgp, 95)))
    nsd = float((dpg <= tau).sum() + (dgp <= tau).sum()) / float(len(dpg) + len(dgp))
    rows.append({"label": l, "dice": dice, "hd95": hd95, "nsd": nsd})
open(out + "/gt.raw", "wb").write(gt.tobytes(order="F"))
open(out + "/pred.raw", "wb").write(pred.tobytes(order="F"))
json.dump({"dims": list(gt.shape), "spacing": spacing, "rows": rows}, open(out + "/reference.json", "w"))
`;

function pythonSkip(): string | false {
  const probe = spawnSync(python, ['-c', 'import scipy, nibabel'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `${python} with scipy and nibabel is not available`;
}

interface Reference {
  dims: number[];
  spacing: [number, number, number];
  rows: { label: number; dice: number; hd95: number | null; nsd: number }[];
}

function volumeOf(data: Uint8Array, ref: Reference): Volume {
  const [sx, sy, sz] = ref.spacing;
  const affine = [
    [sx, 0, 0, 0],
    [0, sy, 0, 0],
    [0, 0, sz, 0],
    [0, 0, 0, 1],
  ];
  return { data, dims: ref.dims, spacing: ref.spacing, affine, datatype: 'uint8' };
}

test('Dice, HD95 and NSD match scipy on a real 61-class CT label map', {
  skip: sharedDataSkip() || pythonSkip(),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-metrics-'));
  try {
    const tolerance = 3; // mm: one voxel of this 3 mm map, so NSD is neither 0 nor 1
    const run = spawnSync(
      python,
      ['-c', script, sharedData('ct-abdomen', 'seg_total_61.nii.gz'), dir, `${tolerance}`],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
    const gt = volumeOf(new Uint8Array(readFileSync(join(dir, 'gt.raw'))), ref);
    const pred = volumeOf(new Uint8Array(readFileSync(join(dir, 'pred.raw'))), ref);
    const labels = ref.rows.map((r) => r.label);
    assert.ok(labels.length > 40, `expected many classes, got ${labels.length}`);
    const organs = evaluateCase(pred, gt, labels, { tolerance });
    let finite = 0;
    for (const [i, row] of ref.rows.entries()) {
      const got = organs[i]!;
      // Dice and NSD are ratios of voxel counts: equal up to float64 division rounding.
      assert.ok(Math.abs(got.dice - row.dice) < 1e-12, `label ${row.label} dice ${got.dice} vs ${row.dice}`);
      assert.ok(Math.abs(got.nsd - row.nsd) < 1e-12, `label ${row.label} nsd ${got.nsd} vs ${row.nsd}`);
      if (row.hd95 === null) assert.equal(got.hd95, Number.POSITIVE_INFINITY, `label ${row.label}`);
      else {
        // Both sides are exact EDTs in float64; 1e-6 mm allows for different summation order.
        assert.ok(Math.abs(got.hd95 - row.hd95) < 1e-6, `label ${row.label} hd95 ${got.hd95} vs ${row.hd95}`);
        finite++;
      }
    }
    assert.ok(finite > 40);
    assert.equal(organs.find((o) => o.label === 2)?.hd95, Number.POSITIVE_INFINITY); // removed kidney
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
