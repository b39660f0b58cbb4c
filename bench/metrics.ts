// Times the exact EDT and a full 13-organ evaluation (Dice, HD95, NSD) on a 512×512×300 synthetic
// pair with CT-like anisotropic spacing. Prints one JSON line.
// Run: node --import tsx bench/metrics.ts [--compare-scipy]
// --compare-scipy also times scipy.ndimage.distance_transform_edt (Debian's /usr/bin/python3) on the
// same mask and reports the largest difference, as a reference only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanMean } from '../src/metrics/dice.js';
import { euclideanDistanceTransform } from '../src/metrics/distance-transform.js';
import { evaluateCase } from '../src/metrics/evaluate.js';
import type { Volume } from '../src/volume/volume.js';

const dims = [512, 512, 300];
const spacing: [number, number, number] = [0.78, 0.78, 2.5];
const [nx, ny, nz] = dims as [number, number, number];
const count = nx * ny * nz;

/** A label map of 13 ellipsoid "organs" spread over the volume, optionally displaced by `shift` voxels. */
function phantom(shift: number): Uint8Array {
  const data = new Uint8Array(count);
  for (let label = 1; label <= 13; label++) {
    const cx = 90 + ((label * 67) % 330) + shift;
    const cy = 90 + ((label * 113) % 330);
    const cz = 40 + ((label * 29) % 220) + (shift > 0 ? 1 : 0);
    const [rx, ry, rz] = [20 + ((label * 7) % 40), 18 + ((label * 11) % 35), 6 + ((label * 5) % 20)];
    for (let z = Math.max(0, cz - rz); z < Math.min(nz, cz + rz + 1); z++)
      for (let y = Math.max(0, cy - ry); y < Math.min(ny, cy + ry + 1); y++)
        for (let x = Math.max(0, cx - rx); x < Math.min(nx, cx + rx + 1); x++) {
          const r = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 + ((z - cz) / rz) ** 2;
          if (r <= 1) data[x + nx * (y + ny * z)] = label;
        }
  }
  return data;
}

function volume(data: Uint8Array): Volume {
  const affine = [
    [spacing[0], 0, 0, 0],
    [0, spacing[1], 0, 0],
    [0, 0, spacing[2], 0],
    [0, 0, 0, 1],
  ];
  return { data, dims, spacing, affine, datatype: 'uint8' };
}

const gt = phantom(0);
const pred = phantom(2);

// EDT of the whole volume to the set voxels of organ 6 (the worst case: most voxels far away).
const mask = new Uint8Array(count);
for (let i = 0; i < count; i++) mask[i] = gt[i] === 6 ? 1 : 0;
const out = new Float32Array(count);
let t0 = performance.now();
euclideanDistanceTransform(mask, dims, spacing, { out });
const edtSeconds = (performance.now() - t0) / 1000;

t0 = performance.now();
const organs = evaluateCase(volume(pred), volume(gt), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], {
  tolerance: 1,
});
const evaluateSeconds = (performance.now() - t0) / 1000;
const meanDice = nanMean(organs.map((o) => o.dice));
const meanHd95 = organs.reduce((s, o) => s + o.hd95, 0) / organs.length;

/** scipy's EDT time on the same mask, and the largest |ours − scipy| in mm (reference only). */
function compareScipy(): { scipySeconds: number; maxDifferenceMm: number } | null {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-bench-'));
  try {
    writeFileSync(join(dir, 'mask.raw'), mask);
    writeFileSync(join(dir, 'ours.raw'), out);
    const script = `
import sys, time, json, numpy as np
from scipy.ndimage import distance_transform_edt
d = sys.argv[1]
shape = (${nz}, ${ny}, ${nx})
mask = np.fromfile(d + '/mask.raw', dtype=np.uint8).reshape(shape)
ours = np.fromfile(d + '/ours.raw', dtype=np.float32).reshape(shape)
t = time.perf_counter()
ref = distance_transform_edt(mask == 0, sampling=(${spacing[2]}, ${spacing[1]}, ${spacing[0]}))
seconds = time.perf_counter() - t
print(json.dumps({"scipySeconds": seconds, "maxDifferenceMm": float(np.abs(ref - ours).max())}))
`;
    const run = spawnSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) {
      console.error(`scipy comparison failed: ${run.stderr.trim().split('\n').pop()}`);
      return null;
    }
    const parsed = JSON.parse(run.stdout) as { scipySeconds: number; maxDifferenceMm: number };
    return { scipySeconds: Number(parsed.scipySeconds.toFixed(3)), maxDifferenceMm: parsed.maxDifferenceMm };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const scipy = process.argv.includes('--compare-scipy') ? compareScipy() : null;

console.log(
  JSON.stringify({
    bench: 'metrics',
    dims,
    spacing,
    edtSeconds: Number(edtSeconds.toFixed(3)),
    edtMvoxPerSecond: Number((count / 1e6 / edtSeconds).toFixed(1)),
    evaluateSeconds: Number(evaluateSeconds.toFixed(3)),
    organs: organs.length,
    meanDice: Number(meanDice.toFixed(4)),
    meanHd95: Number(meanHd95.toFixed(3)),
    ...(scipy ?? {}),
  }),
);
