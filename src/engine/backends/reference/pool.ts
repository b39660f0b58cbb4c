import type { TensorInfo } from '../../backend.js';
import type { PoolAttrs } from '../../kernel-names.js';
import { registerKernel } from '../../kernel-registry.js';
import { values } from './storage.js';

/** Pooling written once for 3D; 2D runs with depth 1. */
interface PoolGeometry {
  planes: number;
  inSize: [number, number, number];
  outSize: [number, number, number];
  kernel: [number, number, number];
  stride: [number, number, number];
  padding: [number, number, number];
}

function to3d(list: readonly number[], fill: number): [number, number, number] {
  return (list.length === 2 ? [fill, ...list] : [...list]) as [number, number, number];
}

function poolGeometry(xShape: readonly number[], attrs: PoolAttrs): PoolGeometry {
  const spatial = xShape.slice(2);
  const out = spatial.map(
    (d, i) => Math.floor((d + 2 * attrs.padding[i]! - attrs.kernelSize[i]!) / attrs.stride[i]!) + 1,
  );
  return {
    planes: xShape[0]! * xShape[1]!,
    inSize: to3d(spatial, 1),
    outSize: to3d(out, 1),
    kernel: to3d(attrs.kernelSize, 1),
    stride: to3d(attrs.stride, 1),
    padding: to3d(attrs.padding, 0),
  };
}

function outShape(xShape: readonly number[], g: PoolGeometry): number[] {
  return [xShape[0]!, xShape[1]!, ...(xShape.length === 4 ? g.outSize.slice(1) : g.outSize)];
}

/**
 * Visits every window: `visit(outIndex, inputIndices)` where inputIndices lists the in-bounds input
 * offsets of that window (padding cells are skipped).
 */
function forEachWindow(
  g: PoolGeometry,
  visit: (out: number, cells: Int32Array, count: number) => void,
): void {
  const [ID, IH, IW] = g.inSize;
  const [OD, OH, OW] = g.outSize;
  const [KD, KH, KW] = g.kernel;
  const cells = new Int32Array(KD * KH * KW);
  let out = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * ID * IH * IW;
    for (let oz = 0; oz < OD; oz++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++, out++) {
          let count = 0;
          for (let kz = 0; kz < KD; kz++) {
            const iz = oz * g.stride[0] - g.padding[0] + kz;
            if (iz < 0 || iz >= ID) continue;
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * g.stride[1] - g.padding[1] + ky;
              if (iy < 0 || iy >= IH) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ox * g.stride[2] - g.padding[2] + kx;
                if (ix >= 0 && ix < IW) cells[count++] = base + (iz * IH + iy) * IW + ix;
              }
            }
          }
          visit(out, cells, count);
        }
      }
    }
  }
}

function maxPool([ix]: readonly TensorInfo[], attrs: PoolAttrs): TensorInfo {
  const x = values(ix!);
  const g = poolGeometry(ix!.shape, attrs);
  const shape = outShape(ix!.shape, g);
  const y = new Float32Array(g.planes * g.outSize[0] * g.outSize[1] * g.outSize[2]);
  forEachWindow(g, (o, cells, count) => {
    let m = -Infinity;
    for (let i = 0; i < count; i++) m = Math.max(m, x[cells[i]!]!);
    y[o] = m;
  });
  return { shape, storage: y };
}

/** The gradient goes to the first maximum of each window, as PyTorch's max_pool. */
function maxPoolGrad([idy, ix]: readonly TensorInfo[], attrs: PoolAttrs): TensorInfo {
  const x = values(ix!);
  const dy = values(idy!);
  const g = poolGeometry(ix!.shape, attrs);
  const dx = new Float32Array(x.length);
  forEachWindow(g, (o, cells, count) => {
    let best = -1;
    let m = -Infinity;
    for (let i = 0; i < count; i++) {
      const v = x[cells[i]!]!;
      if (v > m || best < 0) {
        m = v;
        best = cells[i]!;
      }
    }
    if (best >= 0) dx[best]! += dy[o]!;
  });
  return { shape: ix!.shape, storage: dx };
}

function avgPool([ix]: readonly TensorInfo[], attrs: PoolAttrs): TensorInfo {
  const x = values(ix!);
  const g = poolGeometry(ix!.shape, attrs);
  const divisor = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const y = new Float32Array(g.planes * g.outSize[0] * g.outSize[1] * g.outSize[2]);
  forEachWindow(g, (o, cells, count) => {
    let s = 0;
    for (let i = 0; i < count; i++) s += x[cells[i]!]!;
    y[o] = s / divisor;
  });
  return { shape: outShape(ix!.shape, g), storage: y };
}

function avgPoolGrad([idy]: readonly TensorInfo[], attrs: PoolAttrs & { inputShape: number[] }): TensorInfo {
  const dy = values(idy!);
  const g = poolGeometry(attrs.inputShape, attrs);
  const divisor = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const dx = new Float32Array(attrs.inputShape.reduce((p, d) => p * d, 1));
  forEachWindow(g, (o, cells, count) => {
    const share = dy[o]! / divisor;
    for (let i = 0; i < count; i++) dx[cells[i]!]! += share;
  });
  return { shape: [...attrs.inputShape], storage: dx };
}

registerKernel('reference', 'MaxPool', maxPool);
registerKernel('reference', 'MaxPoolGrad', maxPoolGrad);
registerKernel('reference', 'AvgPool', avgPool);
registerKernel('reference', 'AvgPoolGrad', avgPoolGrad);
