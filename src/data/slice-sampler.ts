/**
 * Turning a preprocessed volume (Float32Array, x fastest, dims [nx, ny, nz]) into network inputs:
 * axial slices resized to a square for the 2D encoder (the slices of one volume form a bag for
 * multiple-instance learning), or a cubic patch for the 3D encoder.
 */

/** Bilinear resize of a w×h plane to outW×outH (pixel centres aligned, as align_corners=false). */
export function resizePlane(
  plane: Float32Array,
  w: number,
  h: number,
  outW: number,
  outH: number,
): Float32Array {
  const out = new Float32Array(outW * outH);
  const sx = w / outW;
  const sy = h / outH;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const top = plane[y0 * w + x0]! * (1 - wx) + plane[y0 * w + x1]! * wx;
      const bottom = plane[y1 * w + x0]! * (1 - wx) + plane[y1 * w + x1]! * wx;
      out[y * outW + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

/**
 * `count` axial slice indices spread over [0, nz): the centres of `count` equal strata, each moved
 * uniformly within its stratum when `rng` is given (so training sees every level, validation is fixed).
 */
export function sliceIndices(nz: number, count: number, rng?: () => number): number[] {
  const indices: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = rng ? (i + rng()) / count : (i + 0.5) / count;
    indices.push(Math.min(nz - 1, Math.floor(t * nz)));
  }
  return indices;
}

/** The axial slices `indices` of a volume, each resized to size×size, stacked as count×size×size. */
export function axialSlices(
  data: Float32Array,
  dims: readonly number[],
  indices: readonly number[],
  size: number,
) {
  const [nx, ny] = [dims[0]!, dims[1]!];
  const out = new Float32Array(indices.length * size * size);
  indices.forEach((z, i) => {
    const plane = data.subarray(z * nx * ny, (z + 1) * nx * ny);
    out.set(nx === size && ny === size ? plane : resizePlane(plane, nx, ny, size, size), i * size * size);
  });
  return out;
}

/**
 * A size[0]×size[1]×size[2] patch starting at `start` (may reach outside the volume; outside voxels
 * take `fill`, e.g. the background value after windowing).
 */
export function cropPatch(
  data: Float32Array,
  dims: readonly number[],
  start: readonly number[],
  size: readonly number[],
  fill = 0,
): Float32Array {
  const [nx, ny, nz] = [dims[0]!, dims[1]!, dims[2]!];
  const [sx, sy, sz] = [size[0]!, size[1]!, size[2]!];
  const out = new Float32Array(sx * sy * sz).fill(fill);
  for (let z = 0; z < sz; z++) {
    const vz = start[2]! + z;
    if (vz < 0 || vz >= nz) continue;
    for (let y = 0; y < sy; y++) {
      const vy = start[1]! + y;
      if (vy < 0 || vy >= ny) continue;
      for (let x = 0; x < sx; x++) {
        const vx = start[0]! + x;
        if (vx < 0 || vx >= nx) continue;
        out[(z * sy + y) * sx + x] = data[(vz * ny + vy) * nx + vx]!;
      }
    }
  }
  return out;
}

/** Start of a patch: random within the volume when `rng` is given, else centred (patch larger than volume → centred). */
export function patchStart(dims: readonly number[], size: readonly number[], rng?: () => number): number[] {
  return [0, 1, 2].map((a) => {
    const slack = dims[a]! - size[a]!;
    if (slack <= 0 || !rng) return Math.floor(slack / 2);
    return Math.floor(rng() * (slack + 1));
  });
}
