// Label schemes mapped by name: a source label map (e.g. TotalSegmentator's 117 classes) becomes a
// target dataset's label map (BTCV's 13 organs) by matching class names, not numbers, so any names
// file works. Unmapped classes become background.
import { readFileSync } from 'node:fs';
import { fileError, InputError } from '../errors.js';
import { getVocabulary, type OrganTag } from '../report/vocabularies.js';
import { TOTALSEGMENTATOR_TOTAL } from './totalsegmentator-names.js';

/** Label value → class name. */
export type LabelNames = Record<number, string>;

/** Built-in schemes usable with `--scheme` when no names file is given. */
export const BUILTIN_SCHEMES: Readonly<Record<string, LabelNames>> = { total: TOTALSEGMENTATOR_TOTAL };

/**
 * Source names that mean a target organ under another wording. Kidney cysts keep their kidney's label,
 * as lesions do in BTCV (its annotators drew the organ including its lesions).
 */
const ALIASES: Readonly<Record<string, string>> = {
  'portal vein and splenic vein': 'portal and splenic vein',
  'portal vein and splenic vein s': 'portal and splenic vein',
  'left kidney cyst': 'left kidney',
  'right kidney cyst': 'right kidney',
  ivc: 'inferior vena cava',
  postcava: 'inferior vena cava',
};

/** "kidney_right", "Kidney Right" and "right kidney" → "right kidney". */
export function normalizeClassName(name: string): string {
  let words = name
    .toLowerCase()
    .replace(/[_\-\s]+/g, ' ')
    .trim();
  const sided = /^(.+?) (left|right)( .+)?$/.exec(words);
  if (sided) words = `${sided[2]} ${sided[1]}${sided[3] ?? ''}`;
  return ALIASES[words] ?? words;
}

/** The names a target tag answers to: its name and its synonyms (with the side for paired organs). */
function tagNames(tag: OrganTag): string[] {
  const synonyms = tag.synonyms.map((s) => (tag.side ? `${tag.side} ${s}` : s));
  return [tag.name, ...synonyms].map(normalizeClassName);
}

/**
 * Reads a names file: `{ "1": "spleen", … }`, `{ "labels": { … } }` (MSD `dataset.json`), nnU-Net v2's
 * `{ "labels": { "spleen": 1 } }`, or a file of several schemes (`label_maps.json`) from which `scheme`
 * picks one.
 */
export function readLabelNames(path: string, scheme?: string): LabelNames {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw fileError(path, `cannot read the label names (${(error as Error).message})`);
  }
  return labelNamesFrom(json, path, scheme);
}

function labelNamesFrom(json: unknown, path: string, scheme?: string): LabelNames {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw fileError(path, 'expected a JSON object of label value → name');
  const record = json as Record<string, unknown>;
  if (typeof record.labels === 'object' && record.labels !== null)
    return labelNamesFrom(record.labels, path, scheme);
  const values = Object.values(record);
  if (values.length > 0 && values.every((v) => typeof v === 'object' && v !== null)) {
    const chosen = scheme ?? (Object.keys(record).length === 1 ? Object.keys(record)[0] : undefined);
    if (chosen === undefined || !(chosen in record))
      throw fileError(
        path,
        `holds several schemes (${Object.keys(record).join(', ')}); choose one with --scheme`,
      );
    return labelNamesFrom(record[chosen], path);
  }
  const names: LabelNames = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' && /^\d+$/.test(key)) names[Number(key)] = value;
    else if (typeof value === 'number' && Number.isInteger(value)) names[value] = key;
    else if (typeof value === 'string' && /^\d+$/.test(value)) names[Number(value)] = key;
    else throw fileError(path, `entry "${key}": expected label value → name`);
  }
  if (Object.keys(names).length === 0) throw fileError(path, 'no label names found');
  return names;
}

/** The names of a built-in scheme; an unknown one is an error listing those known. */
export function builtinLabelNames(scheme: string): LabelNames {
  const names = BUILTIN_SCHEMES[scheme];
  if (!names)
    throw new InputError(
      `unknown label scheme "${scheme}" (built in: ${Object.keys(BUILTIN_SCHEMES).join(', ')}; or give --label-names)`,
    );
  return names;
}

/** How a source scheme's labels become a target dataset's. */
export interface SchemeMapping {
  target: string;
  /** Source value → target value (0 for unmapped). */
  lookup: Uint16Array;
  /** Target value → target organ name (without background). */
  targetNames: Record<number, string>;
  /** Target organ → the source class names mapped onto it. */
  sources: Record<string, string[]>;
  /** Source names left as background. */
  unmapped: string[];
}

/**
 * Maps `source` names onto the organs of the target vocabulary (`btcv`, `amos`) by name.
 *
 * @example mapLabelScheme(builtinLabelNames('total'), 'btcv').lookup[2] // 2 (kidney_right → right kidney)
 */
export function mapLabelScheme(source: LabelNames, target: string): SchemeMapping {
  const tags = getVocabulary(target).tags.filter((t) => t.label !== undefined);
  const byName = new Map<string, OrganTag>();
  for (const tag of tags) for (const name of tagNames(tag)) if (!byName.has(name)) byName.set(name, tag);
  const maxValue = Math.max(0, ...Object.keys(source).map(Number));
  const lookup = new Uint16Array(maxValue + 1);
  const sources: Record<string, string[]> = {};
  const unmapped: string[] = [];
  for (const [value, name] of Object.entries(source)) {
    if (Number(value) === 0) continue;
    const tag = byName.get(normalizeClassName(name));
    if (!tag) {
      unmapped.push(name);
      continue;
    }
    lookup[Number(value)] = tag.label!;
    (sources[tag.name] ??= []).push(name);
  }
  const targetNames = Object.fromEntries(tags.map((t) => [t.label!, t.name]));
  return { target, lookup, targetNames, sources, unmapped };
}

/** Source label values that map onto target `organ` (e.g. kidney_right and kidney_cyst_right). */
export function sourceValuesOf(mapping: SchemeMapping, organ: string): number[] {
  const label = Object.entries(mapping.targetNames).find(([, name]) => name === organ)?.[0];
  if (label === undefined) return [];
  const values: number[] = [];
  mapping.lookup.forEach((t, s) => {
    if (s > 0 && t === Number(label)) values.push(s);
  });
  return values;
}

/** A source label map's values remapped through `mapping` (values beyond the names → background). */
export function remapLabels(data: ArrayLike<number>, mapping: SchemeMapping): Uint8Array {
  const out = new Uint8Array(data.length);
  const lookup = mapping.lookup;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    out[i] = v > 0 && v < lookup.length ? lookup[v]! : 0;
  }
  return out;
}
