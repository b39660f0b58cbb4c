// Smooth random fields in patient space: the low-frequency displacement that makes every organ's shape
// different, and the lattice noise that gives parenchyma its texture.
import type { Random } from './random.js';
import type { Shape } from './shapes.js';

/**
 * A smooth random displacement field: each component is a sum of plane waves with wavelengths
 * between `minWavelength` and `maxWavelength` mm, scaled so no displacement exceeds `amplitude` mm.
 */
export class DisplacementField {
  private readonly waves: Float64Array; // per wave: kx, ky, kz, phase, weight, component
  readonly amplitude: number;

  constructor(rng: Random, amplitude: number, minWavelength = 60, maxWavelength = 160, wavesPerAxis = 3) {
    this.amplitude = amplitude;
    this.waves = new Float64Array(3 * wavesPerAxis * 6);
    let o = 0;
    for (let component = 0; component < 3; component++) {
      for (let w = 0; w < wavesPerAxis; w++) {
        const k = (2 * Math.PI) / rng.uniform(minWavelength, maxWavelength);
        // A random direction, uniform on the sphere.
        const cosT = rng.uniform(-1, 1);
        const sinT = Math.sqrt(1 - cosT * cosT);
        const phi = rng.uniform(0, 2 * Math.PI);
        this.waves.set(
          [
            k * sinT * Math.cos(phi),
            k * sinT * Math.sin(phi),
            k * cosT,
            rng.uniform(0, 2 * Math.PI),
            amplitude / wavesPerAxis,
            component,
          ],
          o,
        );
        o += 6;
      }
    }
  }

  /** Adds the displacement at (x, y, z) to `out`'s components. */
  displace(x: number, y: number, z: number, out: Float64Array): void {
    out[0] = x;
    out[1] = y;
    out[2] = z;
    const w = this.waves;
    for (let o = 0; o < w.length; o += 6) {
      out[w[o + 5]!]! += w[o + 4]! * Math.sin(w[o]! * x + w[o + 1]! * y + w[o + 2]! * z + w[o + 3]!);
    }
  }
}

/** `shape` seen through `field`: a point is inside when its displaced position is inside the shape. */
export function deformed(shape: Shape, field: DisplacementField): Shape {
  const a = field.amplitude;
  const p = new Float64Array(3);
  return {
    contains(x, y, z) {
      field.displace(x, y, z, p);
      return shape.contains(p[0]!, p[1]!, p[2]!);
    },
    bounds: {
      min: [shape.bounds.min[0] - a, shape.bounds.min[1] - a, shape.bounds.min[2] - a],
      max: [shape.bounds.max[0] + a, shape.bounds.max[1] + a, shape.bounds.max[2] + a],
    },
  };
}

/**
 * Value noise on a regular lattice of `cell` mm with trilinear interpolation: zero mean, unit
 * variance at lattice points, smooth in between. Periodic with a period of `period` cells.
 */
export class LatticeNoise {
  private readonly values: Float32Array;
  private readonly period: number;
  private readonly inverseCell: number;

  constructor(rng: Random, cell: number, period = 32) {
    this.period = period;
    this.inverseCell = 1 / cell;
    this.values = new Float32Array(period * period * period);
    for (let i = 0; i < this.values.length; i++) this.values[i] = rng.normal();
  }

  at(x: number, y: number, z: number): number {
    const n = this.period;
    const fx = x * this.inverseCell + 1000 * n;
    const fy = y * this.inverseCell + 1000 * n;
    const fz = z * this.inverseCell + 1000 * n;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    const iz = Math.floor(fz);
    const tx = fx - ix;
    const ty = fy - iy;
    const tz = fz - iz;
    const x0 = ix % n;
    const y0 = iy % n;
    const z0 = iz % n;
    const x1 = (x0 + 1) % n;
    const y1 = (y0 + 1) % n;
    const z1 = (z0 + 1) % n;
    const v = this.values;
    // Indices of the eight lattice corners, inlined: this runs for every organ voxel.
    const r00 = (z0 * n + y0) * n;
    const r10 = (z0 * n + y1) * n;
    const r01 = (z1 * n + y0) * n;
    const r11 = (z1 * n + y1) * n;
    const c00 = v[r00 + x0]! * (1 - tx) + v[r00 + x1]! * tx;
    const c10 = v[r10 + x0]! * (1 - tx) + v[r10 + x1]! * tx;
    const c01 = v[r01 + x0]! * (1 - tx) + v[r01 + x1]! * tx;
    const c11 = v[r11 + x0]! * (1 - tx) + v[r11 + x1]! * tx;
    return (c00 * (1 - ty) + c10 * ty) * (1 - tz) + (c01 * (1 - ty) + c11 * ty) * tz;
  }
}
