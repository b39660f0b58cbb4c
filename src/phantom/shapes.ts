// Solid shapes in patient space (RAS millimetres) from which organs are built: rotated ellipsoids for
// parenchymal organs and tubes (chains of cones) for vessels, the oesophagus and the pancreas.

export type Vec3 = [number, number, number];

/** An axis-aligned box in RAS mm. */
export interface Box {
  min: Vec3;
  max: Vec3;
}

/** A solid: a membership test and a box that holds it. */
export interface Shape {
  contains(x: number, y: number, z: number): boolean;
  bounds: Box;
}

/** Rotation matrix (rows) turning by `angles` (radians) about x, then y, then z. */
export function rotation(angles: Vec3): number[][] {
  const [a, b, c] = angles;
  const [ca, sa, cb, sb, cc, sc] = [
    Math.cos(a),
    Math.sin(a),
    Math.cos(b),
    Math.sin(b),
    Math.cos(c),
    Math.sin(c),
  ];
  // Rz · Ry · Rx
  return [
    [cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa],
    [sc * cb, sc * sb * sa + cc * ca, sc * sb * ca - cc * sa],
    [-sb, cb * sa, cb * ca],
  ];
}

/** An ellipsoid with semi-axes `radii`, turned by `angles` (radians about x, y, z) about its centre. */
export function ellipsoid(center: Vec3, radii: Vec3, angles: Vec3 = [0, 0, 0]): Shape {
  const r = rotation(angles);
  const [cx, cy, cz] = center;
  const inv = radii.map((v) => 1 / (v * v));
  // The box of a rotated ellipsoid: half-width along world axis i is |row_i ⊙ radii|₂.
  const half = [0, 1, 2].map((i) =>
    Math.hypot(r[i]![0]! * radii[0], r[i]![1]! * radii[1], r[i]![2]! * radii[2]),
  );
  return {
    contains(x, y, z) {
      const dx = x - cx;
      const dy = y - cy;
      const dz = z - cz;
      // Local coordinates: Rᵀ · d.
      const u = r[0]![0]! * dx + r[1]![0]! * dy + r[2]![0]! * dz;
      const v = r[0]![1]! * dx + r[1]![1]! * dy + r[2]![1]! * dz;
      const w = r[0]![2]! * dx + r[1]![2]! * dy + r[2]![2]! * dz;
      return u * u * inv[0]! + v * v * inv[1]! + w * w * inv[2]! <= 1;
    },
    bounds: {
      min: [cx - half[0]!, cy - half[1]!, cz - half[2]!],
      max: [cx + half[0]!, cy + half[1]!, cz + half[2]!],
    },
  };
}

/** A tube along the polyline `points` whose radius varies linearly between `radii` at the points. */
export function tube(points: Vec3[], radii: number[]): Shape {
  if (points.length < 2 || radii.length !== points.length)
    throw new Error('tube: need ≥ 2 points, one radius each');
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  points.forEach((p, i) => {
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a]!, p[a]! - radii[i]!);
      max[a] = Math.max(max[a]!, p[a]! + radii[i]!);
    }
  });
  return {
    contains(x, y, z) {
      for (let s = 0; s + 1 < points.length; s++) {
        const [ax, ay, az] = points[s]!;
        const [bx, by, bz] = points[s + 1]!;
        const ex = bx - ax;
        const ey = by - ay;
        const ez = bz - az;
        const len2 = ex * ex + ey * ey + ez * ez;
        let t = ((x - ax) * ex + (y - ay) * ey + (z - az) * ez) / len2;
        t = Math.min(Math.max(t, 0), 1);
        const r = radii[s]! + t * (radii[s + 1]! - radii[s]!);
        const dx = x - ax - t * ex;
        const dy = y - ay - t * ey;
        const dz = z - az - t * ez;
        if (dx * dx + dy * dy + dz * dz <= r * r) return true;
      }
      return false;
    },
    bounds: { min, max },
  };
}

/** The union of shapes. */
export function union(...shapes: Shape[]): Shape {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const s of shapes) {
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a]!, s.bounds.min[a]!);
      max[a] = Math.max(max[a]!, s.bounds.max[a]!);
    }
  }
  return { contains: (x, y, z) => shapes.some((s) => s.contains(x, y, z)), bounds: { min, max } };
}

/** `shape` minus `cut` (e.g. the liver's gallbladder fossa). */
export function difference(shape: Shape, cut: Shape): Shape {
  return { contains: (x, y, z) => shape.contains(x, y, z) && !cut.contains(x, y, z), bounds: shape.bounds };
}

/** `shape` scaled by `factor` about `center` (enlarged or atrophic organs). */
export function scaled(shape: Shape, center: Vec3, factor: number): Shape {
  const [cx, cy, cz] = center;
  const f = 1 / factor;
  const scale = (v: number, c: number) => c + (v - c) * factor;
  return {
    contains: (x, y, z) => shape.contains(cx + (x - cx) * f, cy + (y - cy) * f, cz + (z - cz) * f),
    bounds: {
      min: [scale(shape.bounds.min[0], cx), scale(shape.bounds.min[1], cy), scale(shape.bounds.min[2], cz)],
      max: [scale(shape.bounds.max[0], cx), scale(shape.bounds.max[1], cy), scale(shape.bounds.max[2], cz)],
    },
  };
}
