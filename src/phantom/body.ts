// The body around the organs: skin outline, subcutaneous fat, the abdominal wall, the spine with its
// discs, canal and posterior elements, paraspinal and psoas muscles, and the lower ribs.
import type { BodyModel } from './anatomy.js';
import { TISSUE_HU } from './organs.js';

/** Tissue at a point outside the organs; `cavity` marks the visceral fat in which organs may lie. */
export interface BodyTissue {
  hu: number;
  cavity: boolean;
  inside: boolean;
}

const ellipse = (dx: number, dy: number, a: number, b: number) => (dx / a) ** 2 + (dy / b) ** 2;

/** The tissue of `body` at RAS point (x, y, z) mm, written into `out` (to avoid allocations per voxel). */
export function bodyTissue(body: BodyModel, x: number, y: number, z: number, out: BodyTissue): BodyTissue {
  const dx = x - body.center[0];
  const dy = y - body.center[1];
  const a = body.halfWidth;
  const b = dy >= 0 ? body.halfDepthAnterior : body.halfDepthPosterior;
  out.inside = ellipse(dx, dy, a, b) <= 1;
  out.cavity = false;
  if (!out.inside) {
    out.hu = TISSUE_HU.air;
    return out;
  }
  const f = body.subcutaneousFat;
  const m = f + body.wallMuscle;
  const inFatLayer = ellipse(dx, dy, a - f, b - f) > 1;
  const rhoCavity = Math.sqrt(ellipse(dx, dy, a - m, b - m));
  out.hu = inFatLayer ? TISSUE_HU.fat : rhoCavity > 1 ? TISSUE_HU.muscle : TISSUE_HU.fat;
  out.cavity = !inFatLayer && rhoCavity <= 1;

  const rv = body.vertebraRadius;
  const sy = body.spineY;
  const belowDome = body.dome - z;
  // Paraspinal muscles behind the spine, psoas beside it from the upper lumbar spine downwards.
  if (ellipse(Math.abs(dx) - 30, dy - (sy - rv - 16), 25, 28) <= 1) setMuscle(out);
  const psoas = Math.min(22, Math.max(0, ((belowDome - 110) / 110) * 22));
  if (psoas > 3 && ellipse(Math.abs(dx) - (rv + psoas * 0.6), dy - sy, psoas, psoas * 0.85) <= 1)
    setMuscle(out);

  // Lower ribs: a band just inside the abdominal wall, sloping down towards the front, sparing the
  // anterior midline, in the upper part of the scan only.
  if (belowDome < 150 && rhoCavity > 0.95 && rhoCavity < 1.06 && !inFatLayer) {
    const angle = Math.atan2(dy, dx);
    if (Math.abs(angle - Math.PI / 2) > 0.55) {
      const zRib = z + 18 * Math.sin(angle) - body.ribPhase;
      const phase = ((zRib % body.ribPeriod) + body.ribPeriod) % body.ribPeriod;
      if (phase < body.ribThickness) {
        out.hu =
          phase < 1.5 || phase > body.ribThickness - 1.5 ? TISSUE_HU.corticalBone : TISSUE_HU.cancellousBone;
        out.cavity = false;
      }
    }
  }

  // Vertebral body (cortical shell, cancellous core, discs), spinal canal, posterior arch, spinous process.
  const rBody = Math.hypot(dx, dy - sy);
  if (rBody <= rv) {
    const discPhase = (((z - body.discPhase) % body.discPeriod) + body.discPeriod) % body.discPeriod;
    out.hu =
      discPhase < 7 ? TISSUE_HU.disc : rBody > rv - 2.5 ? TISSUE_HU.corticalBone : TISSUE_HU.cancellousBone;
    out.cavity = false;
    return out;
  }
  const canalY = sy - rv - 9;
  const rCanal = Math.hypot(dx, dy - canalY);
  if (rCanal <= 8) {
    out.hu = TISSUE_HU.cerebrospinalFluid;
    out.cavity = false;
  } else if ((rCanal <= 13 && dy < canalY + 4) || (Math.abs(dx) < 4 && dy < canalY && dy > canalY - 28)) {
    out.hu = TISSUE_HU.corticalBone;
    out.cavity = false;
  }
  return out;
}

function setMuscle(out: BodyTissue): void {
  out.hu = TISSUE_HU.muscle;
  out.cavity = false;
}
