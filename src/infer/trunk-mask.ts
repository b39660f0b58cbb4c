/**
 * The patient's trunk on a CT, where every abdominal organ lies: tissue (voxels above −500 HU: soft
 * tissue, fat, bone; not air or lung) opened in-plane with a disc of `TRUNK_OPENING_MM` — only the
 * largest face-connected region of what lies deeper than that inside the tissue is kept, then grown
 * back by the same distance within the tissue — and its holes filled slice by slice (gas in the
 * stomach and bowel, lung bases). Arms beside the body are other regions, also where they rest against
 * the flank through a bridge of skin and fat narrower than twice the radius; so are the table and
 * clothing. `lcc` post-processing sets predictions outside the trunk to background.
 *
 * Why: models grown from patient A (scanned arms up) have never seen arms beside the body. On patient
 * B one called 34 k voxels of the left arm "left kidney" (the arm separated by air) and another
 * 26 k voxels of the right arm "stomach", a component larger than its true stomach, so that largest-
 * component cleaning then deleted the real one. The radius was read off B: 5 mm leaves B's right arm
 * attached, 15 mm cuts into B's labelled organs, 10 mm does neither.
 * @example const trunk = trunkMask(ct.data, [nx, ny, nz], ct.spacing); // 1 in the trunk
 */
import { euclideanDistanceTransform } from '../metrics/distance-transform.js';
import { sliceInterior } from '../volume/slice-interior.js';
import { keepLargestComponents } from './connected-components.js';

/** Above this a voxel is tissue (fat starts near −150 HU, aerated lung is below −700). */
export const TISSUE_FLOOR_HU = -500;
/** In-plane radius of the opening that cuts an arm from the trunk. */
export const TRUNK_OPENING_MM = 10;

export function trunkMask(
  hu: ArrayLike<number>,
  dims: readonly [number, number, number],
  spacing: readonly number[],
): Uint8Array {
  const n = dims[0] * dims[1] * dims[2];
  const tissue = new Uint8Array(n);
  for (let i = 0; i < n; i++) tissue[i] = hu[i]! > TISSUE_FLOOR_HU ? 1 : 0;
  // Depth is measured before the holes are filled: filling first would also fill the air pocket
  // between an arm and the flank and weld the two together. The core (the erosion) lies deeper than
  // the radius inside the tissue, slice by slice.
  const depth = inPlaneDistance(tissue, dims, spacing, 0);
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = depth[i]! > TRUNK_OPENING_MM ? 1 : 0;
  // A body too thin to erode (a phantom, a limb scan) keeps its largest tissue region instead.
  const opened = core.includes(1);
  const seed = keepLargestComponents(opened ? core : tissue, dims, 6);
  if (!opened) return sliceInterior(seed, dims, 0.5);
  const fromSeed = inPlaneDistance(seed, dims, spacing, 1);
  const reach = TRUNK_OPENING_MM + 0.5 * Math.max(spacing[0]!, spacing[1]!);
  const trunk = new Uint8Array(n);
  for (let i = 0; i < n; i++) trunk[i] = tissue[i] === 1 && fromSeed[i]! <= reach ? 1 : 0;
  return sliceInterior(trunk, dims, 0.5);
}

/** Per slice, the in-plane distance (mm) from each voxel to the nearest voxel whose mask value is `target`. */
function inPlaneDistance(
  mask: Uint8Array,
  dims: readonly [number, number, number],
  spacing: readonly number[],
  target: 0 | 1,
): Float64Array {
  const slice = dims[0] * dims[1];
  const out = new Float64Array(mask.length);
  const hit = new Uint8Array(slice);
  for (let z = 0; z < dims[2]; z++) {
    for (let i = 0; i < slice; i++) hit[i] = mask[z * slice + i] === target ? 1 : 0;
    out.set(euclideanDistanceTransform(hit, [dims[0], dims[1]], [spacing[0]!, spacing[1]!]), z * slice);
  }
  return out;
}
