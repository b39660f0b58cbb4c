// NIfTI read/write speed against nibabel on a 512×512×300 int16 CT-like volume, plus the volume
// operations a segmentation run does on such a volume (reorient, resample, back to the input grid).
// Run: npm run bench:io [-- --json] [-- --repeats 3]
// nibabel timings come from Debian's /usr/bin/python3 (bench/io_nibabel.py); skipped with a note if absent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNifti, writeNifti } from '../src/io/nifti/index.js';
import { reorient } from '../src/volume/orientation.js';
import { resampleToGrid, resampleToSpacing } from '../src/volume/resample.js';
import type { Volume } from '../src/volume/volume.js';

const json = process.argv.includes('--json');
const repeatsIndex = process.argv.indexOf('--repeats');
const repeats = repeatsIndex > 0 ? Number(process.argv[repeatsIndex + 1]) : 3;
const PYTHON = '/usr/bin/python3';

/**
 * A CT-like phantom: air outside an elliptic body of soft tissue with a few organs and a spine,
 * plus ±20 HU noise — compressible the way real CT is (random noise alone would not be).
 */
function ctPhantom(): Volume {
  const [nx, ny, nz] = [512, 512, 300];
  const data = new Int16Array(nx * ny * nz);
  let state = 12345;
  for (let z = 0, o = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, o++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const noise = (state >>> 26) - 32; // −32…31
        const bx = (x - 256) / 220;
        const by = (y - 256) / 160;
        let hu = -1000;
        if (bx * bx + by * by < 1) {
          hu = 40;
          if ((x - 180) ** 2 + (y - 220) ** 2 < 60 ** 2) hu = 60; // liver
          if ((x - 340) ** 2 + (y - 230) ** 2 < 25 ** 2) hu = 45; // spleen
          if ((x - 256) ** 2 + (y - 330) ** 2 < 20 ** 2) hu = 700; // vertebra
          hu += noise;
        }
        data[o] = hu;
      }
    }
  }
  const affine = [
    [-0.78, 0, 0, 200],
    [0, -0.78, 0, 200],
    [0, 0, 2.5, -400],
    [0, 0, 0, 1],
  ];
  return { data, dims: [nx, ny, nz], spacing: [0.78, 0.78, 2.5], affine, datatype: 'int16' };
}

/** Best time of `repeats` runs; `setup` runs untimed before each (e.g. removing the previous output). */
async function best(fn: () => Promise<unknown> | unknown, setup?: () => void): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    setup?.();
    const start = performance.now();
    await fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

interface Measurement {
  name: string;
  ms: number;
  nibabel_ms?: number;
  ratio?: number;
  bytes?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'mosmos-bench-io-'));
try {
  const volume = ctPhantom();
  const results: Measurement[] = [];
  for (const ext of ['nii.gz', 'nii']) {
    const path = join(dir, `mosmos.${ext}`);
    // Each write creates a new file, for both tools, so neither pays for deleting the previous one.
    const remove = () => rmSync(path, { force: true });
    results.push({ name: `write .${ext}`, ms: await best(() => writeNifti(path, volume), remove) });
    results.push({ name: `read .${ext}`, ms: await best(() => readNifti(path)), bytes: statSync(path).size });
  }

  const here = dirname(fileURLToPath(import.meta.url));
  const probe = spawnSync(PYTHON, ['-c', 'import nibabel'], { encoding: 'utf8' });
  let note = '';
  if (probe.status === 0) {
    const reference = spawnSync(
      PYTHON,
      [join(here, 'io_nibabel.py'), join(dir, 'mosmos.nii'), dir, String(repeats)],
      {
        encoding: 'utf8',
      },
    );
    if (reference.status === 0) {
      const { ms, nibabel } = JSON.parse(reference.stdout) as { ms: Record<string, number>; nibabel: string };
      note = `nibabel ${nibabel}`;
      for (const m of results) {
        const theirs = ms[m.name];
        if (theirs !== undefined) {
          m.nibabel_ms = theirs;
          m.ratio = m.ms / theirs;
        }
      }
    } else note = `nibabel reference failed: ${reference.stderr.trim().split('\n').pop()}`;
  } else note = `no nibabel reference: ${PYTHON} cannot import nibabel`;

  const ras = reorient(volume, 'RAS');
  results.push({ name: 'reorient LPS→RAS', ms: await best(() => reorient(volume, 'RAS')) });
  const coarse = resampleToSpacing(ras, [1.5, 1.5, 1.5], 'linear');
  results.push({
    name: 'resample to 1.5 mm (linear)',
    ms: await best(() => resampleToSpacing(ras, [1.5, 1.5, 1.5], 'linear')),
  });
  const labels: Volume = {
    ...coarse,
    data: Uint8Array.from(coarse.data, (v) => (v > 100 ? 2 : v > 50 ? 1 : 0)),
    datatype: 'uint8',
  };
  results.push({
    name: 'labels back to the input grid (nearest)',
    ms: await best(() => resampleToGrid(labels, volume, 'nearest')),
  });
  results.push({
    name: 'image back to the input grid (linear)',
    ms: await best(() => resampleToGrid(coarse, volume, 'linear')),
  });

  if (json) {
    for (const m of results) console.log(JSON.stringify({ bench: 'io', dims: volume.dims, repeats, ...m }));
    if (note) console.error(note);
  } else {
    console.log(`bench io: 512×512×300 int16 CT phantom, best of ${repeats}${note ? `; ${note}` : ''}`);
    for (const m of results) {
      const reference =
        m.nibabel_ms === undefined
          ? ''
          : `  nibabel ${m.nibabel_ms.toFixed(0).padStart(6)} ms  ratio ${m.ratio!.toFixed(2)}`;
      const size = m.bytes === undefined ? '' : `  (${(m.bytes / 2 ** 20).toFixed(1)} MiB)`;
      console.log(`  ${m.name.padEnd(40)} ${m.ms.toFixed(0).padStart(6)} ms${reference}${size}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
