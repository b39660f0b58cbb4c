// Organ names and colours for a segmentation overlay: names from the JSON that `mosmos segment` writes
// beside its output, else the BTCV defaults; colours fixed for the BTCV organs so that every picture
// of a case looks the same.
import { existsSync, readFileSync } from 'node:fs';
import { fileError } from '../errors.js';
import { BTCV_LABEL_NAMES } from '../phantom/organs.js';

/** One entry of the legend. */
export interface LabelEntry {
  value: number;
  name: string;
  /** sRGB, 0–255. */
  color: [number, number, number];
}

// Distinct colours for labels 1–13 (BTCV order), close to those of common viewers' abdominal tables.
const PALETTE: [number, number, number][] = [
  [157, 108, 162], // spleen
  [185, 102, 83], // right kidney
  [255, 181, 158], // left kidney
  [139, 150, 98], // gallbladder
  [111, 184, 210], // esophagus
  [221, 130, 101], // liver
  [216, 132, 141], // stomach
  [224, 97, 76], // aorta
  [0, 151, 206], // inferior vena cava
  [0, 112, 165], // portal and splenic vein
  [249, 180, 111], // pancreas
  [244, 214, 49], // right adrenal gland
  [241, 214, 145], // left adrenal gland
];

/** The colour of a label value: the palette for 1–13, then well-spread hues (golden-angle steps). */
export function labelColor(value: number): [number, number, number] {
  const fixed = PALETTE[value - 1];
  if (fixed) return fixed;
  const hue = (value * 137.508) % 360;
  return hslToRgb(hue, 0.65, 0.55);
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(255 * f(0)), Math.round(255 * f(8)), Math.round(255 * f(4))];
}

/** Candidate paths of the label-name JSON beside a segmentation: `seg.nii.gz.json`, then `seg.json`. */
export function labelJsonPaths(segPath: string): string[] {
  const stem = segPath.replace(/\.nii(\.gz)?$/i, '');
  return [`${segPath}.json`, `${stem}.json`].filter((p, i, all) => all.indexOf(p) === i);
}

/**
 * Label names for a segmentation: `{ "labels": { "1": "spleen", … } }` from the JSON beside it, or the
 * BTCV names when there is none. A malformed JSON is an error naming the file.
 */
export function readLabelNames(segPath: string): Record<number, string> {
  const path = labelJsonPaths(segPath).find((p) => existsSync(p));
  if (!path) return { ...BTCV_LABEL_NAMES };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw fileError(path, `not valid JSON (${(error as Error).message})`);
  }
  const labels = (parsed as { labels?: unknown } | null)?.labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw fileError(path, 'expected {"labels": {"1": "name", …}}');
  }
  const names: Record<number, string> = {};
  for (const [key, name] of Object.entries(labels)) {
    const value = Number(key);
    if (!Number.isInteger(value) || value < 0 || typeof name !== 'string') {
      throw fileError(path, `label "${key}": expected an integer key and a name`);
    }
    if (value > 0) names[value] = name;
  }
  return names;
}

/** Legend entries for the label values present in a segmentation, named from `names`. */
export function legendFor(values: Iterable<number>, names: Record<number, string>): LabelEntry[] {
  return [...new Set(values)]
    .filter((v) => v > 0)
    .sort((a, b) => a - b)
    .map((value) => ({ value, name: names[value] ?? `label ${value}`, color: labelColor(value) }));
}
