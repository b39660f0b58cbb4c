/**
 * Single-precision matrix product C = op(A) op(B) (+ C when accumulating), row-major with leading
 * dimensions, as the reference kernels' workhorse. The loop orders keep the innermost loop
 * contiguous, and column tiles keep a block of B in cache while all rows of A pass over it.
 */
export interface GemmOperand {
  data: Float32Array;
  offset: number;
  /** Elements between consecutive rows as stored. */
  ld: number;
}

const TILE = 512;

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
  if (!accumulate) {
    for (let i = 0; i < m; i++) c.data.fill(0, c.offset + i * c.ld, c.offset + i * c.ld + n);
  }
  if (m === 0 || n === 0 || k === 0) return;
  if (transB && transA) {
    // AᵀBᵀ: transpose B once, then use the Aᵀ·B path.
    const bt = new Float32Array(k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bt[p * n + j] = b.data[b.offset + j * b.ld + p]!;
    gemmTN(m, n, k, a, { data: bt, offset: 0, ld: n }, c);
  } else if (transB) gemmNT(m, n, k, a, b, c);
  else if (transA) gemmTN(m, n, k, a, b, c);
  else gemmNN(m, n, k, a, b, c);
}

function gemmNN(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  for (let j0 = 0; j0 < n; j0 += TILE) {
    const j1 = Math.min(n, j0 + TILE);
    let i = 0;
    // Four rows of C at a time: each loaded B value feeds four multiply-adds.
    for (; i + 4 <= m; i += 4) {
      const c0 = c.offset + i * c.ld;
      const c1 = c0 + c.ld;
      const c2 = c1 + c.ld;
      const c3 = c2 + c.ld;
      const a0 = a.offset + i * a.ld;
      for (let p = 0; p < k; p++) {
        const v0 = A[a0 + p]!;
        const v1 = A[a0 + a.ld + p]!;
        const v2 = A[a0 + 2 * a.ld + p]!;
        const v3 = A[a0 + 3 * a.ld + p]!;
        const bRow = b.offset + p * b.ld;
        for (let j = j0; j < j1; j++) {
          const bv = B[bRow + j]!;
          C[c0 + j] += v0 * bv;
          C[c1 + j] += v1 * bv;
          C[c2 + j] += v2 * bv;
          C[c3 + j] += v3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = c.offset + i * c.ld;
      const a0 = a.offset + i * a.ld;
      for (let p = 0; p < k; p++) {
        const v0 = A[a0 + p]!;
        if (v0 === 0) continue;
        const bRow = b.offset + p * b.ld;
        for (let j = j0; j < j1; j++) C[c0 + j] += v0 * B[bRow + j]!;
      }
    }
  }
}

function gemmNT(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  for (let i = 0; i < m; i++) {
    const aRow = a.offset + i * a.ld;
    const cRow = c.offset + i * c.ld;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = b.offset + j * b.ld;
      const b1 = b0 + b.ld;
      let s0 = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        const av = A[aRow + p]!;
        s0 += av * B[b0 + p]!;
        s1 += av * B[b1 + p]!;
      }
      C[cRow + j] += s0;
      C[cRow + j + 1] += s1;
    }
    for (; j < n; j++) {
      const b0 = b.offset + j * b.ld;
      let s0 = 0;
      for (let p = 0; p < k; p++) s0 += A[aRow + p]! * B[b0 + p]!;
      C[cRow + j] += s0;
    }
  }
}

function gemmTN(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  for (let j0 = 0; j0 < n; j0 += TILE) {
    const j1 = Math.min(n, j0 + TILE);
    for (let p = 0; p < k; p++) {
      const aRow = a.offset + p * a.ld;
      const bRow = b.offset + p * b.ld;
      for (let i = 0; i < m; i++) {
        const av = A[aRow + i]!;
        if (av === 0) continue;
        const cRow = c.offset + i * c.ld;
        for (let j = j0; j < j1; j++) C[cRow + j] += av * B[bRow + j]!;
      }
    }
  }
}
