/**
 * Small synthetic image–report pairs for checking that pre-training learns: CT-like volumes in which
 * each of six abdominal organs is present or absent at random (a blob with its own position and
 * intensity), with a report stating exactly that in varied radiology phrasing. The organ masks are
 * returned so that attention maps can be scored against them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../engine/index.js';
import { writeNifti } from '../io/nifti/index.js';
import type { Volume } from '../volume/volume.js';

export interface SyntheticOrgan {
  /** Tag name in the BTCV/abdomen vocabularies. */
  tag: string;
  /** Centre (x, y) in voxels and radius in voxels. */
  centre: [number, number];
  radius: number;
  /** Mean Hounsfield units. */
  hu: number;
  absentPhrases: string[];
}

const organ = (tag: string, centre: [number, number], radius: number, hu: number, absent: string[]) => ({
  tag,
  centre,
  radius,
  hu,
  absentPhrases: absent,
});

/** The organs of the synthetic abdomen (on a 32 × 32 axial grid). */
export const syntheticOrgans: SyntheticOrgan[] = [
  organ('liver', [22, 10], 6, 60, [
    'Status post hepatectomy with no residual liver.',
    'The liver is absent.',
  ]),
  organ('spleen', [7, 13], 4, 110, ['Status post splenectomy.', 'The spleen is surgically absent.']),
  organ('stomach', [12, 7], 3.5, 20, ['Status post total gastrectomy.', 'The stomach is absent.']),
  organ('gallbladder', [17, 17], 2.5, 0, [
    'Status post cholecystectomy.',
    'The gallbladder is surgically absent.',
  ]),
  organ('right kidney', [24, 24], 3, 180, ['Status post right nephrectomy.', 'The right kidney is absent.']),
  organ('left kidney', [8, 24], 3, 180, [
    'Status post left nephrectomy.',
    'The left kidney is surgically absent.',
  ]),
];

const presentPhrases = [
  'The {o} is normal.',
  'The {o} is unremarkable.',
  'The {o} is within normal limits.',
  'Normal {o}.',
];

export interface SyntheticCase {
  id: string;
  image: string;
  report: string;
  /** Organ presence, aligned with syntheticOrgans. */
  present: boolean[];
  /** Label map (0 = background, i + 1 = syntheticOrgans[i]) on the image's grid. */
  labels: Uint8Array;
}

export interface SyntheticOptions {
  cases: number;
  seed: number;
  /** In-plane size (default 32) and slices (default 8). */
  size?: number;
  slices?: number;
  /** Probability that each organ is present (default 0.5). */
  presence?: number;
}

/** Writes `cases` NIfTI volumes and `pairs.jsonl` into `dir`; returns the cases with their masks. */
export async function writeSyntheticPairs(dir: string, options: SyntheticOptions): Promise<SyntheticCase[]> {
  const size = options.size ?? 32;
  const slices = options.slices ?? 8;
  const rng = new Rng(options.seed);
  const scale = size / 32;
  mkdirSync(dir, { recursive: true });
  const cases: SyntheticCase[] = [];
  for (let c = 0; c < options.cases; c++) {
    const present = syntheticOrgans.map(() => rng.next() < (options.presence ?? 0.5));
    const data = new Int16Array(size * size * slices);
    const labels = new Uint8Array(size * size * slices);
    const shapes = syntheticOrgans.map((o) => ({
      cx: (o.centre[0] + (rng.next() - 0.5) * 2) * scale,
      cy: (o.centre[1] + (rng.next() - 0.5) * 2) * scale,
      r: o.radius * (0.85 + 0.3 * rng.next()) * scale,
      // Each organ spans a random run of at least half of the slices, so slice-level MIL matters.
      z0: rng.int(Math.ceil(slices / 2)),
      z1: 0,
    }));
    for (const s of shapes) s.z1 = s.z0 + Math.ceil(slices / 2) + rng.int(Math.floor(slices / 2) - s.z0 + 1);
    for (let z = 0; z < slices; z++) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const i = (z * size + y) * size + x;
          const body = ((x - size / 2) / (size * 0.47)) ** 2 + ((y - size / 2) / (size * 0.45)) ** 2 <= 1;
          let hu = body ? -80 : -1000;
          shapes.forEach((s, k) => {
            if (!present[k] || z < s.z0 || z >= s.z1) return;
            if ((x - s.cx) ** 2 + (y - s.cy) ** 2 <= s.r ** 2) {
              hu = syntheticOrgans[k]!.hu;
              labels[i] = k + 1;
            }
          });
          data[i] = Math.round(hu + rng.normal() * 15);
        }
      }
    }
    const sentences = syntheticOrgans.map((o, k) =>
      present[k]
        ? presentPhrases[rng.int(presentPhrases.length)]!.replace('{o}', o.tag)
        : o.absentPhrases[rng.int(o.absentPhrases.length)]!,
    );
    for (let i = sentences.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [sentences[i], sentences[j]] = [sentences[j]!, sentences[i]!];
    }
    const id = `case${String(c).padStart(3, '0')}`;
    const volume: Volume = {
      data,
      dims: [size, size, slices],
      spacing: [1.5 / scale, 1.5 / scale, 3],
      affine: [
        [1.5 / scale, 0, 0, 0],
        [0, 1.5 / scale, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 0, 1],
      ],
      datatype: 'int16',
    };
    await writeNifti(join(dir, `${id}.nii.gz`), volume, { force: true });
    cases.push({ id, image: `${id}.nii.gz`, report: `FINDINGS: ${sentences.join(' ')}`, present, labels });
  }
  writeFileSync(
    join(dir, 'pairs.jsonl'),
    `${cases.map((c) => JSON.stringify({ image: c.image, report: c.report, generated: true })).join('\n')}\n`,
  );
  return cases;
}
