/** One frame (3D volume) of a 4D series, e.g. one phase of a multi-phase CT or one fMRI time point. */
import { fileError } from '../errors.js';
import { channelCount, type Volume, voxelCount } from './volume.js';

/**
 * The 3D volume a command that works on one volume should use: the volume itself when it is 3D,
 * frame `frame` (0-based) of a 4D volume when asked. A 4D volume without `frame` is an error: taking
 * the first frame silently could segment the wrong phase.
 */
export function selectFrame(volume: Volume, frame: number | undefined, name: string): Volume {
  const frames = channelCount(volume);
  if (frames === 1) {
    if (frame !== undefined && frame !== 0) throw fileError(name, `has one frame, not frame ${frame}`);
    return volume;
  }
  if (frame === undefined)
    throw fileError(name, `is 4D (${frames} frames); choose one with --frame 0…${frames - 1}`);
  if (!(Number.isInteger(frame) && frame >= 0 && frame < frames))
    throw fileError(name, `--frame must be an integer in 0…${frames - 1}, got ${frame}`);
  const size = voxelCount(volume);
  return {
    ...volume,
    dims: volume.dims.slice(0, 3),
    data: volume.data.slice(frame * size, (frame + 1) * size),
  };
}
