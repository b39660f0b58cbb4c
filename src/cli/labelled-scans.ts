/**
 * Several labelled scans on one command line, as `mosmos cohort` and `mosmos demo --anatomy` take
 * them: comma-separated images with one label map each (a path holding a comma cannot be one of
 * several), and names file, scheme and modality given once for all or once per scan.
 */
import { builtinLabelNames, type LabelNames, readLabelNames } from '../cohort/label-scheme.js';
import type { AnatomySource } from '../demo/anatomy-demo.js';
import { InputError } from '../errors.js';

/** One value per source: a comma list of `count` values, or one value for all. */
export function perSource(option: string, text: string | undefined, count: number): (string | undefined)[] {
  if (text === undefined) return Array.from({ length: count }, () => undefined);
  const values = text.split(',');
  if (values.length === 1) return Array.from({ length: count }, () => values[0]);
  if (values.length !== count)
    throw new InputError(`option --${option}: ${values.length} values for ${count} source scans`);
  return values;
}

/** A names file read under `scheme`, or the built-in scheme of that name. */
export function labelNames(file: string | undefined, scheme: string): LabelNames {
  return file ? readLabelNames(file, scheme) : builtinLabelNames(scheme);
}

/**
 * The scans of `images` (comma-separated) with their label maps, names and modalities. `option`
 * names each value's command-line option for the errors; `scans` says what the images are.
 */
export function labelledScans(
  given: { images: string; labels: string; names?: string; scheme?: string; modality?: string },
  option: { labels: string; names: string; scheme: string; modality: string },
  scans: string,
  defaultScheme: string,
): AnatomySource[] {
  const images = given.images.split(',');
  const labelMaps = given.labels.split(',');
  if (labelMaps.length !== images.length)
    throw new InputError(
      `option --${option.labels}: ${labelMaps.length} label maps for ${images.length} ${scans} (one each)`,
    );
  const names = perSource(option.names, given.names, images.length);
  const schemes = perSource(option.scheme, given.scheme, images.length);
  const modalities = perSource(option.modality, given.modality, images.length);
  return images.map((image, i) => {
    const modality = modalities[i] ?? 'ct';
    if (modality !== 'ct' && modality !== 'mr')
      throw new InputError(`option --${option.modality}: expected ct or mr, got "${modality}"`);
    return {
      image,
      labels: labelMaps[i]!,
      names: labelNames(names[i], schemes[i] ?? defaultScheme),
      modality,
    };
  });
}
