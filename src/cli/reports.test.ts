import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../errors.js';
import { writeNifti } from '../io/nifti/index.js';
import { tagReport } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';
import type { Volume } from '../volume/volume.js';
import { run } from './reports.js';

const root = mkdtempSync(join(tmpdir(), 'mosmos-reports-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A 2 mm BTCV-style label map holding the given labels, each as a slab of `lengths[label]` slices. */
function labelMap(lengths: Record<number, number>): Volume {
  const [nx, ny, nz] = [16, 4, 100];
  const data = new Uint8Array(nx * ny * nz);
  for (const [label, length] of Object.entries(lengths))
    for (let z = 0; z < length; z++)
      for (let y = 0; y < 2; y++) data[Number(label) + nx * (y + ny * z)] = Number(label);
  const affine = [
    [-2, 0, 0, 10],
    [0, -2, 0, 20],
    [0, 0, 2, -30],
    [0, 0, 0, 1],
  ];
  return { data, dims: [nx, ny, nz], spacing: [2, 2, 2], affine, datatype: 'uint8' };
}

async function makeBtcv(dir: string, cases: Record<string, Record<number, number>>): Promise<void> {
  mkdirSync(join(dir, 'img'), { recursive: true });
  mkdirSync(join(dir, 'label'), { recursive: true });
  for (const [id, lengths] of Object.entries(cases)) {
    const map = labelMap(lengths);
    await writeNifti(join(dir, 'img', `img${id}.nii.gz`), {
      ...map,
      data: new Int16Array(map.data.length),
      datatype: 'int16',
    });
    await writeNifti(join(dir, 'label', `label${id}.nii.gz`), map);
  }
}

const all = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [i + 1, 20]));

test('reports generate writes one generated report per labelled case, consistent with its label map', async () => {
  const data = join(root, 'btcv');
  // Case 0002: no gallbladder (4) or left kidney (3), spleen 70 slices = 14 cm (splenomegaly).
  const noGallbladder = { ...all, 1: 70 } as Record<number, number>;
  delete noGallbladder[3];
  delete noGallbladder[4];
  await makeBtcv(data, { '0001': all, '0002': noGallbladder });
  const out = join(root, 'out', 'pairs.jsonl');
  mkdirSync(dirname(out), { recursive: true });
  assert.equal(await run(['generate', data, '--out', out, '--seed', '7']), 0);
  const first = readFileSync(out, 'utf8');
  const lines = first
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  const byCase = Object.fromEntries(lines.map((l) => [l.case, l]));
  assert.equal(byCase['0001'].generated, true);
  assert.equal(resolve(dirname(out), byCase['0001'].image), resolve(data, 'img', 'img0001.nii.gz'));
  assert.ok(Object.values(byCase['0001'].tags).every((s) => s === 'present'));
  const tags = byCase['0002'].tags;
  assert.equal(tags.gallbladder, 'absent');
  assert.equal(tags['left kidney'], 'absent');
  assert.equal(tags.spleen, 'abnormal');
  assert.match(byCase['0002'].report, /14\.0 cm/);
  for (const line of lines) {
    const recovered = Object.fromEntries(
      tagReport(line.report, getVocabulary('btcv')).map((t) => [t.tag, t.status]),
    );
    assert.deepEqual(recovered, line.tags);
  }
  // An existing output is refused without --force; with it, the same seed gives the same file.
  await assert.rejects(run(['generate', data, '--out', out, '--seed', '7']), InputError);
  assert.equal(await run(['generate', data, '--out', out, '--seed', '7', '--force']), 0);
  assert.equal(readFileSync(out, 'utf8'), first);
  assert.equal(await run(['generate', data, '--out', out, '--seed', '8', '--force']), 0);
  assert.notEqual(readFileSync(out, 'utf8'), first);
});

test('reports generate: bad arguments and folders are input errors', async () => {
  await assert.rejects(run(['generate', root]), /--out is required/);
  await assert.rejects(run(['make', root, '--out', join(root, 'x.jsonl')]), /usage/);
  await assert.rejects(run(['generate', join(root, 'nowhere'), '--out', join(root, 'y.jsonl')]), InputError);
});
