/**
 * What lies inside a closed outline, slice by slice (axial slices: x fastest, then y, then z): a flood
 * from each slice's border spreads through voxels below `threshold`; the voxels it cannot reach are
 * inside. Used for the body of a bright-fat MR (the flood stops at the ring of subcutaneous fat, dark
 * muscle inside stays body) and to fill the holes of a CT's trunk (gas in the stomach and bowel).
 * Per slice, not in 3D: a cavity open at the top or bottom slice of a scan is still a cavity.
 * @example const body = sliceInterior(mr, [nx, ny, nz], 100); // 1 inside, 0 outside
 */
export function sliceInterior(
  image: ArrayLike<number>,
  dims: readonly [number, number, number],
  threshold: number,
): Uint8Array {
  const [nx, ny, nz] = dims;
  const inside = new Uint8Array(nx * ny * nz).fill(1);
  const stack: number[] = [];
  for (let z = 0; z < nz; z++) {
    const base = z * nx * ny;
    const visit = (x: number, y: number) => {
      const i = base + x + nx * y;
      if (inside[i] === 1 && image[i]! < threshold) {
        inside[i] = 0;
        stack.push(x, y);
      }
    };
    for (let x = 0; x < nx; x++) {
      visit(x, 0);
      visit(x, ny - 1);
    }
    for (let y = 0; y < ny; y++) {
      visit(0, y);
      visit(nx - 1, y);
    }
    while (stack.length > 0) {
      const y = stack.pop()!;
      const x = stack.pop()!;
      if (x > 0) visit(x - 1, y);
      if (x < nx - 1) visit(x + 1, y);
      if (y > 0) visit(x, y - 1);
      if (y < ny - 1) visit(x, y + 1);
    }
  }
  return inside;
}
