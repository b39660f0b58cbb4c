// Cross-checks against nibabel (the field's reference NIfTI implementation) through Debian's
// /usr/bin/python3; skipped with the reason when nibabel is not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { allocateVoxels, type DataType, type Matrix4 } from '../../volume/volume.js';
import { readNifti, writeNifti } from './index.js';

const PYTHON = '/usr/bin/python3';

function nibabelSkip(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import nibabel, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `nibabel not importable by ${PYTHON}`;
}

function python(code: string, ...args: string[]): unknown {
  const result = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const skip = nibabelSkip();
const dir = mkdtempSync(join(tmpdir(), 'mosmos-nibabel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const AFFINE: Matrix4 = [
  [0, 0, -2.5, 90.25],
  [-0.7 * Math.cos(0.2), 0.7 * Math.sin(0.2), 0, 120.5],
  [0.7 * Math.sin(0.2), 0.7 * Math.cos(0.2), 0, -60],
  [0, 0, 0, 1],
];

const READ_BACK = `
import sys, json, nibabel as nib, numpy as np
img = nib.load(sys.argv[1])
data = np.asanyarray(img.dataobj)
print(json.dumps({'shape': list(img.shape), 'dtype': str(data.dtype), 'data': data.ravel(order='F').tolist(),
  'affine': img.affine.tolist(), 'pixdim': img.header['pixdim'].tolist(), 'qform': img.header.get_qform().tolist(),
  'codes': [int(img.header['qform_code']), int(img.header['sform_code'])]}))
`;

describe('mosmos writes, nibabel reads', { skip }, () => {
  const types: DataType[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'];
  for (const datatype of types) {
    test(datatype, async () => {
      const dims = [4, 3, 5, 2];
      const data = allocateVoxels(datatype, 120);
      for (let i = 0; i < data.length; i++)
        data[i] = ((i * 7) % 50) + (datatype.startsWith('float') ? 0.25 : 0);
      const path = join(dir, `w-${datatype}.nii.gz`);
      await writeNifti(path, { data, dims, spacing: [0.7, 0.7, 2.5], affine: AFFINE, datatype });
      const seen = python(READ_BACK, path) as {
        shape: number[];
        dtype: string;
        data: number[];
        affine: number[][];
        pixdim: number[];
        qform: number[][];
      };
      assert.deepEqual(seen.shape, dims);
      assert.equal(seen.dtype, datatype);
      assert.deepEqual(seen.data, Array.from(data));
      // float32 header fields: relative error 2⁻²⁴ on values ≤ 120.5 → below 1e-5.
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          assert.ok(Math.abs(seen.affine[r]![c]! - AFFINE[r]![c]!) < 1e-5, `sform [${r}][${c}]`);
          assert.ok(Math.abs(seen.qform[r]![c]! - AFFINE[r]![c]!) < 1e-5, `qform [${r}][${c}]`);
        }
      }
      // pixdim[1..3] are the column norms of the affine: 0.7, 0.7, 2.5.
      assert.ok(Math.abs(seen.pixdim[1]! - 0.7) < 1e-6 && Math.abs(seen.pixdim[2]! - 0.7) < 1e-6);
      assert.ok(Math.abs(seen.pixdim[3]! - 2.5) < 1e-6);
    });
  }
});

describe('large files', { skip }, () => {
  test('a .nii.gz compressed in parallel pieces (> 4 MiB) reads in nibabel with the same voxels', async () => {
    const dims = [160, 160, 100];
    const data = new Int16Array(160 * 160 * 100);
    for (let i = 0; i < data.length; i++) data[i] = (((i * 2654435761) >>> 20) % 2000) - 1000;
    const path = join(dir, 'large.nii.gz');
    await writeNifti(path, { data, dims, spacing: [1, 1, 1], affine: AFFINE, datatype: 'int16' });
    const seen = python(
      `import sys, json, hashlib, nibabel as nib, numpy as np
a = np.asanyarray(nib.load(sys.argv[1]).dataobj)
print(json.dumps({'shape': list(a.shape), 'sha': hashlib.sha256(a.astype('<i2').tobytes(order='F')).hexdigest()}))`,
      path,
    ) as { shape: number[]; sha: string };
    assert.deepEqual(seen.shape, dims);
    assert.equal(seen.sha, createHash('sha256').update(new Uint8Array(data.buffer)).digest('hex'));
  });
});

const WRITE = `
import sys, json, nibabel as nib, numpy as np
out = sys.argv[1]
aff = np.array([[0.9, 0.1, 0, -10], [-0.1, 0.9, 0, 20], [0, 0, -3, 40], [0, 0, 0, 1]])
cases = {}
def save(name, img, expected):
    nib.save(img, f'{out}/{name}')
    cases[name] = {'data': np.asarray(expected, dtype=np.float64).ravel(order='F').tolist(), 'shape': list(img.shape),
                   'affine': nib.load(f'{out}/{name}').affine.tolist()}
base = (np.arange(60).reshape(3, 4, 5) * 13 % 97 - 20)
for dt in ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']:
    arr = np.abs(base).astype(dt) if dt.startswith('u') else base.astype(dt)
    save(f'{dt}.nii.gz', nib.Nifti1Image(arr, aff), arr)
be = base.astype('>i2')
save('bigendian.nii', nib.Nifti1Image(be, aff), be)
img = nib.Nifti1Image(base.astype(np.int16), aff)
img.header.set_slope_inter(0.25, -3)
save('scaled.nii.gz', img, base.astype(np.float64) * 0.25 - 3)
four = np.arange(120).reshape(3, 4, 5, 2).astype(np.float32)
save('4d.nii.gz', nib.Nifti1Image(four, aff), four)
save('nifti2.nii.gz', nib.Nifti2Image(base.astype(np.float32), aff), base)
qonly = nib.Nifti1Image(base.astype(np.int16), None)
qonly.header.set_qform(aff, code=1); qonly.header.set_sform(None, code=0)
save('qform-only.nii', qonly, base)
print(json.dumps(cases))
`;

describe('nibabel writes, mosmos reads', { skip }, () => {
  test('datatypes, big-endian, scaling, 4D, NIfTI-2, qform only', async () => {
    const cases = python(WRITE, dir) as Record<
      string,
      { data: number[]; shape: number[]; affine: number[][] }
    >;
    assert.equal(Object.keys(cases).length, 13);
    for (const [name, expected] of Object.entries(cases)) {
      const volume = await readNifti(join(dir, name));
      assert.deepEqual(volume.dims, expected.shape, name);
      // Scaled values are computed in float32 here and float64 in numpy; 0.25 steps are exact in both.
      assert.deepEqual(Array.from(volume.data), expected.data, name);
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          // nibabel's affine comes from the same float32 fields, so only float64 arithmetic differs.
          assert.ok(
            Math.abs(volume.affine[r]![c]! - expected.affine[r]![c]!) < 1e-6,
            `${name} affine[${r}][${c}]`,
          );
        }
      }
    }
  });
});
