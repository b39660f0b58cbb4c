import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Volume } from '../volume/volume.js';
import { enlargementThresholdsMm, generateReport } from './generate.js';
import { tagReport } from './tagger.js';
import { getVocabulary, type VocabularyName } from './vocabularies.js';

/** A label map with one box per label: `boxes[label] = [x0, x1, y0, y1, z0, z1]` in voxels. */
function labelMap(
  dims: [number, number, number],
  spacing: [number, number, number],
  boxes: Record<number, number[]>,
): Volume {
  const [nx, ny, nz] = dims;
  const data = new Uint8Array(nx * ny * nz);
  for (const [label, [x0, x1, y0, y1, z0, z1]] of Object.entries(boxes) as [string, number[]][]) {
    for (let z = z0!; z < z1!; z++)
      for (let y = y0!; y < y1!; y++)
        for (let x = x0!; x < x1!; x++) data[x + nx * (y + ny * z)] = Number(label);
  }
  const affine = [
    [spacing[0], 0, 0, 0],
    [0, spacing[1], 0, 0],
    [0, 0, spacing[2], 0],
    [0, 0, 0, 1],
  ];
  return { data, dims, spacing, affine, datatype: 'uint8' };
}

/** A random configuration: each label present (as a small box) or removed, sizes varied. */
function randomCase(seed: number, labels: number): { map: Volume; present: Set<number> } {
  let s = seed * 9301 + 49297;
  const next = () => (s = (s * 9301 + 49297) % 233280) / 233280;
  const present = new Set<number>();
  const boxes: Record<number, number[]> = {};
  for (let label = 1; label <= labels; label++) {
    if (next() < 0.25) continue;
    present.add(label);
    const z0 = label; // distinct rows keep boxes apart
    boxes[label] = [label, label + 1, 0, 2, z0, z0 + 1 + Math.floor(next() * 40)];
  }
  return { map: labelMap([40, 4, 60], [1, 1, 5], boxes), present };
}

for (const name of ['btcv', 'amos', 'mmwhs', 'brats', 'abdomen'] as VocabularyName[]) {
  test(`generated ${name} reports round-trip through the tagger on 60 seeds`, () => {
    const vocabulary = getVocabulary(name);
    const maxLabel = Math.max(...vocabulary.tags.map((t) => t.label ?? 0));
    for (let seed = 1; seed <= 60; seed++) {
      const { map } = randomCase(seed, maxLabel);
      const report = generateReport(map, vocabulary, { seed });
      const recovered = Object.fromEntries(tagReport(report.text, vocabulary).map((t) => [t.tag, t.status]));
      assert.deepEqual(recovered, report.tags, `seed ${seed}:\n${report.text}`);
    }
  });
}
