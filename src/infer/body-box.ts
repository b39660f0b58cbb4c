/**
 * The part of a preprocessed image worth segmenting: the box of voxels above their channel's
 * minimum. CT preprocessing clips everything below the window's floor (air, the air around the
 * patient) to that floor, so the box is the body — on a 512² abdominal scan a third of the
 * in-plane windows lie outside it. nnU-Net likewise predicts only inside the nonzero crop and calls
 * the rest background. An MR image without a flat background gives (nearly) the whole volume.
 */
import { foregroundBox, unionBox, type VoxelBox } from '../volume/crop.js';
import type { Volume } from '../volume/volume.js';

/** Union of each channel's above-minimum box (image channel-major, x fastest); null when flat. */
export function bodyBox(
  image: Float32Array,
  dims: readonly [number, number, number],
  channels = 1,
): VoxelBox | null {
  const voxels = dims[0] * dims[1] * dims[2];
  let box: VoxelBox | null = null;
  for (let c = 0; c < channels; c++) {
    const data = image.subarray(c * voxels, (c + 1) * voxels);
    let minimum = Number.POSITIVE_INFINITY;
    for (let i = 0; i < data.length; i++) if (data[i]! < minimum) minimum = data[i]!;
    const channel = foregroundBox({ data, dims: [...dims] } as unknown as Volume, minimum);
    if (channel === null) continue;
    box = box === null ? channel : unionBox(box, channel);
  }
  return box;
}
