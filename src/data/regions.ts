/**
 * Region-based training targets (nnU-Net's `regions`, used for BraTS): each region is a set of label
 * values, regions may overlap (WT ⊃ TC ⊃ ET), and the network predicts one sigmoid per region
 * instead of one softmax over classes. This file turns label maps into region targets and region
 * predictions back into a label map.
 */

/** A region: its name and the label values it unites (BraTS TC = {1, 4}). */
export interface Region {
  name: string;
  labels: number[];
}

/**
 * Region targets [N, R, ...spatial] (0/1) from a batch of label maps [N, ...spatial].
 *
 * @example regionTargets(labels, 2, [{ name: 'WT', labels: [1, 2, 4] }]) // 1 wherever a tumour is
 */
export function regionTargets(
  labels: ArrayLike<number>,
  count: number,
  regions: readonly Region[],
): Float32Array {
  const spatial = labels.length / count;
  if (!Number.isInteger(spatial))
    throw new RangeError(`${labels.length} labels do not split into ${count} maps`);
  const sets = regions.map((r) => new Set(r.labels));
  const out = new Float32Array(count * regions.length * spatial);
  for (let n = 0; n < count; n++)
    for (const [r, set] of sets.entries()) {
      const base = (n * regions.length + r) * spatial;
      for (let p = 0; p < spatial; p++) if (set.has(labels[n * spatial + p]!)) out[base + p] = 1;
    }
  return out;
}

/**
 * The order in which regions are painted into a label map and the value each one paints: largest
 * region first, each painting the label it has that no smaller region has (BraTS: WT paints 2,
 * TC paints 1, ET paints 4), as nnU-Net's `regions_class_order`.
 */
export function regionPaintOrder(regions: readonly Region[]): { region: number; value: number }[] {
  const order = regions.map((r, i) => ({ r, i })).sort((a, b) => b.r.labels.length - a.r.labels.length);
  return order.map(({ r, i }) => {
    const inner = new Set(regions.filter((o) => o.labels.length < r.labels.length).flatMap((o) => o.labels));
    const own = r.labels.find((l) => !inner.has(l)) ?? r.labels[0]!;
    return { region: i, value: own };
  });
}

/**
 * A label map from region probabilities [R, ...spatial] (sigmoid outputs of one volume): a voxel
 * inside a region (p > threshold) takes that region's paint value, inner regions painted last.
 */
export function regionsToLabelMap(
  probabilities: ArrayLike<number>,
  regions: readonly Region[],
  threshold = 0.5,
): Uint8Array {
  const spatial = probabilities.length / regions.length;
  const out = new Uint8Array(spatial);
  for (const { region, value } of regionPaintOrder(regions)) {
    const base = region * spatial;
    for (let p = 0; p < spatial; p++) if (probabilities[base + p]! > threshold) out[p] = value;
  }
  return out;
}
