// The plane geometry and value rescaling of one frame, from the classic image modules or from the
// functional groups of an enhanced multi-frame object (per-frame groups override shared ones).
import type { SliceGeometry, Vec3 } from './geometry.js';
import type { NaturalDataset } from './instance.js';

/** The functional group item of `name` for frame `index`, per-frame first, then shared. */
export function functionalGroup(
  dataset: NaturalDataset,
  index: number,
  name: string,
): NaturalDataset | undefined {
  const perFrame = asItems(dataset.PerFrameFunctionalGroupsSequence)[index];
  const shared = asItems(dataset.SharedFunctionalGroupsSequence)[0];
  return asItems(perFrame?.[name])[0] ?? asItems(shared?.[name])[0];
}

/** A sequence value as a list of items (dcmjs gives an object for a one-item sequence). */
export function asItems(value: unknown): NaturalDataset[] {
  if (Array.isArray(value)) return value as NaturalDataset[];
  return value && typeof value === 'object' ? [value as NaturalDataset] : [];
}

function numbers(value: unknown, count: number): number[] | undefined {
  const list = (Array.isArray(value) ? value : [value]).map(Number);
  return list.length >= count && list.slice(0, count).every(Number.isFinite)
    ? list.slice(0, count)
    : undefined;
}

/** The geometry of frame `index`, or undefined when the object does not declare a complete one. */
export function frameGeometry(dataset: NaturalDataset, index: number): SliceGeometry | undefined {
  const position = numbers(
    functionalGroup(dataset, index, 'PlanePositionSequence')?.ImagePositionPatient ??
      dataset.ImagePositionPatient,
    3,
  );
  const orientation = numbers(
    functionalGroup(dataset, index, 'PlaneOrientationSequence')?.ImageOrientationPatient ??
      dataset.ImageOrientationPatient,
    6,
  );
  const spacing = numbers(
    functionalGroup(dataset, index, 'PixelMeasuresSequence')?.PixelSpacing ?? dataset.PixelSpacing,
    2,
  );
  if (!position || !orientation || !spacing) return undefined;
  return {
    position: position as Vec3,
    orientation: orientation as SliceGeometry['orientation'],
    pixelSpacing: spacing as [number, number],
  };
}

/** Slice thickness (or spacing between slices) declared for frame `index`, if any. */
export function frameThickness(dataset: NaturalDataset, index: number): number | undefined {
  const measures = functionalGroup(dataset, index, 'PixelMeasuresSequence');
  const value = Number(
    measures?.SpacingBetweenSlices ??
      measures?.SliceThickness ??
      dataset.SpacingBetweenSlices ??
      dataset.SliceThickness,
  );
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** RescaleSlope and RescaleIntercept of frame `index` (1 and 0 when absent). */
export function frameRescale(dataset: NaturalDataset, index: number): { slope: number; intercept: number } {
  const transform = functionalGroup(dataset, index, 'PixelValueTransformationSequence');
  const slope = Number(transform?.RescaleSlope ?? dataset.RescaleSlope ?? 1);
  const intercept = Number(transform?.RescaleIntercept ?? dataset.RescaleIntercept ?? 0);
  return {
    slope: Number.isFinite(slope) && slope !== 0 ? slope : 1,
    intercept: Number.isFinite(intercept) ? intercept : 0,
  };
}
