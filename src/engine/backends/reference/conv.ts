import type { TensorInfo } from '../../backend.js';
import type { ConvAttrs } from '../../kernel-names.js';
import { registerKernel } from '../../kernel-registry.js';
import { gemm } from './gemm.js';
import { values } from './storage.js';

/**
 * Convolution as im2col + GEMM, written once for 3D; 2D runs as 3D with depth 1. The column matrix
 * [Cin·kD·kH·kW, positions] is built for a chunk of output rows at a time so memory stays bounded
 * (a full 3D column matrix would be hundreds of MB).
 */

/** Geometry in 3D form: sizes [D, H, W], kernel, stride, padding, dilation. */
interface Geometry {
  batch: number;
  cin: number;
  cout: number;
  inSize: number[];
  outSize: number[];
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

const COLUMN_CHUNK = 1 << 21; // floats in one column-matrix chunk (8 MB)

function to3d(list: readonly number[], fill: number): number[] {
  return list.length === 2 ? [fill, ...list] : [...list];
}

function geometry(
  xShape: readonly number[],
  wShape: readonly number[],
  yShape: readonly number[],
  attrs: ConvAttrs,
): Geometry {
  return {
    batch: xShape[0]!,
    cin: xShape[1]!,
    cout: yShape[1]!,
    inSize: to3d(xShape.slice(2), 1),
    outSize: to3d(yShape.slice(2), 1),
    kernel: to3d(wShape.slice(2), 1),
    stride: to3d(attrs.stride, 1),
    padding: to3d(attrs.padding, 0),
    dilation: to3d(attrs.dilation, 1),
  };
}

function outputShape(xShape: readonly number[], wShape: readonly number[], attrs: ConvAttrs): number[] {
  const spatial = xShape.slice(2).map((d, i) => {
    const k = wShape[i + 2]!;
    return Math.floor((d + 2 * attrs.padding[i]! - attrs.dilation[i]! * (k - 1) - 1) / attrs.stride[i]!) + 1;
  });
  return [xShape[0]!, wShape[0]!, ...spatial];
}

function isPointwise(g: Geometry): boolean {
  return [0, 1, 2].every((i) => g.kernel[i] === 1 && g.stride[i] === 1 && g.padding[i] === 0);
}

/** Output rows (flattened D×H) per chunk. */
function rowsPerChunk(g: Geometry): number {
  const kdim = g.cin * g.kernel[0]! * g.kernel[1]! * g.kernel[2]!;
  return Math.max(1, Math.floor(COLUMN_CHUNK / (kdim * g.outSize[2]!)));
}

/** Fills col[kdim, rows·OW] from image n of x for output rows [r0, r1) (row = oz·OH + oy). */
function im2col(g: Geometry, x: Float32Array, n: number, r0: number, r1: number, col: Float32Array): void {
  const [ID, IH, IW] = g.inSize as [number, number, number];
  const [, OH, OW] = g.outSize as [number, number, number];
  const [KD, KH, KW] = g.kernel as [number, number, number];
  const [sd, sh, sw] = g.stride as [number, number, number];
  const [pd, ph, pw] = g.padding as [number, number, number];
  const [dd, dh, dw] = g.dilation as [number, number, number];
  const pc = (r1 - r0) * OW;
  let rowIndex = 0;
  for (let c = 0; c < g.cin; c++) {
    const xc = (n * g.cin + c) * ID * IH * IW;
    for (let kz = 0; kz < KD; kz++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++, rowIndex++) {
          let o = rowIndex * pc;
          for (let r = r0; r < r1; r++) {
            const oz = Math.floor(r / OH);
            const oy = r - oz * OH;
            const iz = oz * sd - pd + kz * dd;
            const iy = oy * sh - ph + ky * dh;
            if (iz < 0 || iz >= ID || iy < 0 || iy >= IH) {
              col.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            const rowBase = xc + (iz * IH + iy) * IW;
            let ix = -pw + kx * dw;
            for (let ox = 0; ox < OW; ox++, ix += sw) col[o++] = ix >= 0 && ix < IW ? x[rowBase + ix]! : 0;
          }
        }
      }
    }
  }
}

/** Adds col[kdim, rows·OW] back into image n of dx (the adjoint of im2col). */
function col2im(g: Geometry, col: Float32Array, n: number, r0: number, r1: number, dx: Float32Array): void {
  const [ID, IH, IW] = g.inSize as [number, number, number];
  const [, OH, OW] = g.outSize as [number, number, number];
  const [KD, KH, KW] = g.kernel as [number, number, number];
  const [sd, sh, sw] = g.stride as [number, number, number];
  const [pd, ph, pw] = g.padding as [number, number, number];
  const [dd, dh, dw] = g.dilation as [number, number, number];
  const pc = (r1 - r0) * OW;
  let rowIndex = 0;
  for (let c = 0; c < g.cin; c++) {
    const xc = (n * g.cin + c) * ID * IH * IW;
    for (let kz = 0; kz < KD; kz++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++, rowIndex++) {
          let o = rowIndex * pc;
          for (let r = r0; r < r1; r++) {
            const oz = Math.floor(r / OH);
            const oy = r - oz * OH;
            const iz = oz * sd - pd + kz * dd;
            const iy = oy * sh - ph + ky * dh;
            if (iz < 0 || iz >= ID || iy < 0 || iy >= IH) {
              o += OW;
              continue;
            }
            const rowBase = xc + (iz * IH + iy) * IW;
            let ix = -pw + kx * dw;
            for (let ox = 0; ox < OW; ox++, ix += sw, o++)
              if (ix >= 0 && ix < IW) dx[rowBase + ix]! += col[o]!;
          }
        }
      }
    }
  }
}

function kdimOf(g: Geometry): number {
  return g.cin * g.kernel[0]! * g.kernel[1]! * g.kernel[2]!;
}

function convForward([ix, iw]: readonly TensorInfo[], attrs: ConvAttrs): TensorInfo {
  const shape = outputShape(ix!.shape, iw!.shape, attrs);
  const g = geometry(ix!.shape, iw!.shape, shape, attrs);
  const x = values(ix!);
  const w = values(iw!);
  const inPositions = g.inSize[0]! * g.inSize[1]! * g.inSize[2]!;
  const positions = g.outSize[0]! * g.outSize[1]! * g.outSize[2]!;
  const kdim = kdimOf(g);
  const y = new Float32Array(g.batch * g.cout * positions);
  const rows = g.outSize[0]! * g.outSize[1]!;
  const chunk = rowsPerChunk(g);
  const col = isPointwise(g) ? null : new Float32Array(kdim * Math.min(rows, chunk) * g.outSize[2]!);
  for (let n = 0; n < g.batch; n++) {
    const yOffset = n * g.cout * positions;
    if (col === null) {
      const b = { data: x, offset: n * g.cin * inPositions, ld: inPositions };
      gemm(
        false,
        false,
        g.cout,
        positions,
        kdim,
        { data: w, offset: 0, ld: kdim },
        b,
        { data: y, offset: yOffset, ld: positions },
        false,
      );
      continue;
    }
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const r1 = Math.min(rows, r0 + chunk);
      const pc = (r1 - r0) * g.outSize[2]!;
      im2col(g, x, n, r0, r1, col);
      gemm(
        false,
        false,
        g.cout,
        pc,
        kdim,
        { data: w, offset: 0, ld: kdim },
        { data: col, offset: 0, ld: pc },
        { data: y, offset: yOffset + r0 * g.outSize[2]!, ld: positions },
        false,
      );
    }
  }
  return { shape, storage: y };
}

function convBackpropInput(
  [idy, iw]: readonly TensorInfo[],
  attrs: ConvAttrs & { inputShape: number[] },
): TensorInfo {
  const g = geometry(attrs.inputShape, iw!.shape, idy!.shape, attrs);
  const dy = values(idy!);
  const w = values(iw!);
  const inPositions = g.inSize[0]! * g.inSize[1]! * g.inSize[2]!;
  const positions = g.outSize[0]! * g.outSize[1]! * g.outSize[2]!;
  const kdim = kdimOf(g);
  const dx = new Float32Array(g.batch * g.cin * inPositions);
  const rows = g.outSize[0]! * g.outSize[1]!;
  const chunk = rowsPerChunk(g);
  const pointwise = isPointwise(g);
  const col = pointwise ? null : new Float32Array(kdim * Math.min(rows, chunk) * g.outSize[2]!);
  const wOperand = { data: w, offset: 0, ld: kdim };
  for (let n = 0; n < g.batch; n++) {
    const dyOffset = n * g.cout * positions;
    if (col === null) {
      const c = { data: dx, offset: n * g.cin * inPositions, ld: inPositions };
      gemm(
        true,
        false,
        kdim,
        positions,
        g.cout,
        wOperand,
        { data: dy, offset: dyOffset, ld: positions },
        c,
        false,
      );
      continue;
    }
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const r1 = Math.min(rows, r0 + chunk);
      const pc = (r1 - r0) * g.outSize[2]!;
      const b = { data: dy, offset: dyOffset + r0 * g.outSize[2]!, ld: positions };
      gemm(true, false, kdim, pc, g.cout, wOperand, b, { data: col, offset: 0, ld: pc }, false);
      col2im(g, col, n, r0, r1, dx);
    }
  }
  return { shape: [...attrs.inputShape], storage: dx };
}

function convBackpropFilter(
  [ix, idy]: readonly TensorInfo[],
  attrs: ConvAttrs & { filterShape: number[] },
): TensorInfo {
  const g = geometry(ix!.shape, attrs.filterShape, idy!.shape, attrs);
  const x = values(ix!);
  const dy = values(idy!);
  const inPositions = g.inSize[0]! * g.inSize[1]! * g.inSize[2]!;
  const positions = g.outSize[0]! * g.outSize[1]! * g.outSize[2]!;
  const kdim = kdimOf(g);
  const dw = new Float32Array(g.cout * kdim);
  const rows = g.outSize[0]! * g.outSize[1]!;
  const chunk = rowsPerChunk(g);
  const pointwise = isPointwise(g);
  const col = pointwise ? null : new Float32Array(kdim * Math.min(rows, chunk) * g.outSize[2]!);
  const c = { data: dw, offset: 0, ld: kdim };
  for (let n = 0; n < g.batch; n++) {
    const dyOffset = n * g.cout * positions;
    if (col === null) {
      const b = { data: x, offset: n * g.cin * inPositions, ld: inPositions };
      gemm(false, true, g.cout, kdim, positions, { data: dy, offset: dyOffset, ld: positions }, b, c, true);
      continue;
    }
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const r1 = Math.min(rows, r0 + chunk);
      const pc = (r1 - r0) * g.outSize[2]!;
      im2col(g, x, n, r0, r1, col);
      const a = { data: dy, offset: dyOffset + r0 * g.outSize[2]!, ld: positions };
      gemm(false, true, g.cout, kdim, pc, a, { data: col, offset: 0, ld: pc }, c, true);
    }
  }
  return { shape: [...attrs.filterShape], storage: dw };
}

for (const name of ['Conv2D', 'Conv3D'] as const) registerKernel('reference', name, convForward);
for (const name of ['Conv2DBackpropInput', 'Conv3DBackpropInput'] as const) {
  registerKernel('reference', name, convBackpropInput);
}
for (const name of ['Conv2DBackpropFilter', 'Conv3DBackpropFilter'] as const) {
  registerKernel('reference', name, convBackpropFilter);
}
