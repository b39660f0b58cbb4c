/**
 * The patient's trunk on a CT, where every abdominal organ lies: the largest face-connected region of
 * voxels above −500 HU (soft tissue, fat, bone; not air or lung), its holes filled slice by slice (gas
 * in the stomach and bowel, lung bases). Arms lying beside the body, separated from it by air, the
 * table and clothing are other regions. `lcc` post-processing sets predictions outside it to
 * background: on patient B a 2D U-Net once called 34 k voxels of the left arm "left kidney".
 * @example const trunk = trunkMask(ct.data, [nx, ny, nz]); // 1 in the trunk
 */
import { sliceInterior } from '../volume/slice-interior.js';
import { labelComponents } from './connected-components.js';

/** Above this a voxel is tissue (fat starts near −150 HU, aerated lung is below −700). */
export const TISSUE_FLOOR_HU = -500;

export function trunkMask(hu: ArrayLike<number>, dims: readonly [number, number, number]): Uint8Array {
  const n = dims[0] * dims[1] * dims[2];
  const tissue = new Uint8Array(n);
  for (let i = 0; i < n; i++) tissue[i] = hu[i]! > TISSUE_FLOOR_HU ? 1 : 0;
  const { ids, sizes } = labelComponents(tissue, dims, 6);
  if (sizes.length === 0) return tissue;
  let largest = 0;
  for (let c = 1; c < sizes.length; c++) if (sizes[c]! > sizes[largest]!) largest = c;
  const trunk = new Uint8Array(n);
  for (let i = 0; i < n; i++) trunk[i] = ids[i] === largest + 1 ? 1 : 0;
  return sliceInterior(trunk, dims, 0.5);
}
