/**
 * Single-precision matrix product C = op(A) op(B) (+ C when accumulating), row-major with leading
 * dimensions: the reference kernels' workhorse. In the usual blocked scheme, a slice of KC inner
 * indices of both operands is packed into panels of 4 rows of op(A) and 4 columns of op(B)
 * (zero-padded at the edges, which also absorbs the transposes); a 4×4 block of C is accumulated in
 * 16 local variables, so each inner step does 8 contiguous loads for 16 multiply-adds, while one
 * B panel stays in L1 and the A slice in L2. Panels are float64 so the inner loop converts nothing
 * (and products are summed in double precision).
 */
export interface GemmOperand {
  data: Float32Array;
  offset: number;
  /** Elements between consecutive rows as stored. */
  ld: number;
}

const KC = 256;
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);

/** Panels of 4 rows of op(A) over inner indices [k0, k0 + kc): panel i holds [p][4]. */
function packA(transA: boolean, a: GemmOperand, m: number, k0: number, kc: number): Float64Array {
  const panels = Math.ceil(m / 4);
  if (packedA.length < panels * 4 * kc) packedA = new Float64Array(panels * 4 * kc);
  const out = packedA;
  const A = a.data;
  for (let i = 0; i < panels * 4; i++) {
    const base = (i >> 2) * kc * 4 + (i & 3);
    if (i >= m) for (let p = 0; p < kc; p++) out[base + 4 * p] = 0;
    else if (transA)
      for (let p = 0, s = a.offset + k0 * a.ld + i; p < kc; p++, s += a.ld) out[base + 4 * p] = A[s]!;
    else for (let p = 0, s = a.offset + i * a.ld + k0; p < kc; p++, s++) out[base + 4 * p] = A[s]!;
  }
  return out;
}

/** Panels of 4 columns of op(B) over inner indices [k0, k0 + kc): panel q holds [p][4]. */
function packB(transB: boolean, b: GemmOperand, n: number, k0: number, kc: number): Float64Array {
  const panels = Math.ceil(n / 4);
  if (packedB.length < panels * 4 * kc) packedB = new Float64Array(panels * 4 * kc);
  const out = packedB;
  const B = b.data;
  if (transB) {
    // Columns of op(B) are rows of B: contiguous reads.
    for (let j = 0; j < panels * 4; j++) {
      const base = (j >> 2) * kc * 4 + (j & 3);
      if (j >= n) for (let p = 0; p < kc; p++) out[base + 4 * p] = 0;
      else for (let p = 0, s = b.offset + j * b.ld + k0; p < kc; p++, s++) out[base + 4 * p] = B[s]!;
    }
    return out;
  }
  // Rows of B are read along their length, 16 rows at a time, so reads and writes both stay in cache.
  const full = n >> 2;
  for (let p0 = 0; p0 < kc; p0 += 16) {
    const p1 = Math.min(kc, p0 + 16);
    for (let q = 0; q < full; q++) {
      for (let p = p0; p < p1; p++) {
        const s = b.offset + (k0 + p) * b.ld + 4 * q;
        const o = (q * kc + p) * 4;
        out[o] = B[s]!;
        out[o + 1] = B[s + 1]!;
        out[o + 2] = B[s + 2]!;
        out[o + 3] = B[s + 3]!;
      }
    }
  }
  if (full < panels) {
    for (let p = 0; p < kc; p++) {
      const o = (full * kc + p) * 4;
      const s = b.offset + (k0 + p) * b.ld + 4 * full;
      for (let t = 0; t < 4; t++) out[o + t] = 4 * full + t < n ? B[s + t]! : 0;
    }
  }
  return out;
}

export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: GemmOperand,
  b: GemmOperand,
  c: GemmOperand,
  accumulate: boolean,
): void {
  const C = c.data;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) C.fill(0, c.offset + i * c.ld, c.offset + i * c.ld + n);
    return;
  }
  if (m === 0 || n === 0) return;
  const rowPanels = Math.ceil(m / 4);
  const colPanels = Math.ceil(n / 4);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    const ap = packA(transA, a, m, k0, kc);
    const bp = packB(transB, b, n, k0, kc);
    const add = accumulate || k0 > 0;
    for (let q = 0; q < colPanels; q++) {
      const j0 = 4 * q;
      const cols = Math.min(4, n - j0);
      for (let r = 0; r < rowPanels; r++) {
        let c00 = 0;
        let c01 = 0;
        let c02 = 0;
        let c03 = 0;
        let c10 = 0;
        let c11 = 0;
        let c12 = 0;
        let c13 = 0;
        let c20 = 0;
        let c21 = 0;
        let c22 = 0;
        let c23 = 0;
        let c30 = 0;
        let c31 = 0;
        let c32 = 0;
        let c33 = 0;
        for (let p = 0, x = r * kc * 4, y = q * kc * 4; p < kc; p++, x += 4, y += 4) {
          const b0 = bp[y]!;
          const b1 = bp[y + 1]!;
          const b2 = bp[y + 2]!;
          const b3 = bp[y + 3]!;
          const a0 = ap[x]!;
          const a1 = ap[x + 1]!;
          const a2 = ap[x + 2]!;
          const a3 = ap[x + 3]!;
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
        }
        const i0 = 4 * r;
        const rows = Math.min(4, m - i0);
        if (rows === 4 && cols === 4) {
          let o = c.offset + i0 * c.ld + j0;
          if (add) {
            C[o]! += c00;
            C[o + 1]! += c01;
            C[o + 2]! += c02;
            C[o + 3]! += c03;
            o += c.ld;
            C[o]! += c10;
            C[o + 1]! += c11;
            C[o + 2]! += c12;
            C[o + 3]! += c13;
            o += c.ld;
            C[o]! += c20;
            C[o + 1]! += c21;
            C[o + 2]! += c22;
            C[o + 3]! += c23;
            o += c.ld;
            C[o]! += c30;
            C[o + 1]! += c31;
            C[o + 2]! += c32;
            C[o + 3]! += c33;
          } else {
            C[o] = c00;
            C[o + 1] = c01;
            C[o + 2] = c02;
            C[o + 3] = c03;
            o += c.ld;
            C[o] = c10;
            C[o + 1] = c11;
            C[o + 2] = c12;
            C[o + 3] = c13;
            o += c.ld;
            C[o] = c20;
            C[o + 1] = c21;
            C[o + 2] = c22;
            C[o + 3] = c23;
            o += c.ld;
            C[o] = c30;
            C[o + 1] = c31;
            C[o + 2] = c32;
            C[o + 3] = c33;
          }
          continue;
        }
        const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let t = 0; t < rows; t++) {
          const o = c.offset + (i0 + t) * c.ld + j0;
          for (let u = 0; u < cols; u++) C[o + u] = add ? C[o + u]! + block[4 * t + u]! : block[4 * t + u]!;
        }
      }
    }
  }
}
