import type { FloatData } from '../handle.js';
import { applyEpilogue, copyRowsRelu, hasAdds, type Epilogue } from './epilogue.js';

/**
 * Something that computes C = A·Bᵀ (+ epilogue) on row-major blocks (see
 * `gemmABt` for the exact contract and `Epilogue` for the extras). Kernels
 * only ever multiply through an engine, so the plain-JS loops below and the
 * WebAssembly SIMD kernel are interchangeable.
 */
export interface GemmEngine {
  /** 'js' or 'wasm-simd'. */
  readonly name: string;
  abt(
    A: FloatData,
    aOff: number,
    lda: number,
    B: FloatData,
    bOff: number,
    ldb: number,
    C: FloatData,
    cOff: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    epilogue?: Epilogue,
  ): void;
  /**
   * C = Aᵀ·B for A [K × M] and B [K × N] row-major (C overwritten; A and B
   * read through relu when `reluA`, `reluB`), where the engine has a kernel
   * for that layout; engines without one leave it out and callers pack A
   * and B for `abt`.
   */
  atb?(
    A: Float32Array,
    aOff: number,
    lda: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    reluA: boolean,
    reluB?: boolean,
  ): void;
}

/**
 * Columns of C computed per pass over A: the matching rows of B (NB·K values)
 * stay in L2 while every row of A streams past them.
 */
const PANEL_ELEMS = 1 << 16;

/**
 * C = A·Bᵀ on row-major blocks: `C[i,j] = Σ_p A[i,p]·B[j,p]`, i < M, j < N,
 * p < K, where row i of A starts at `aOff + i·lda`, row j of B at
 * `bOff + j·ldb` and row i of C at `cOff + i·ldc`. C is overwritten.
 *
 * Every matmul in this backend is reduced to this one form (operands are
 * packed so both walk K contiguously): a 4×4 register tile holds 16 sums
 * while each step loads 4 values of A and 4 of B, so the loop does 16
 * multiply-adds per 8 loads, and sums run in double precision whatever
 * the storage type.
 *
 * @example
 * ```ts
 * import { gemmABt } from './gemm.js';
 * const c = new Float32Array(1);
 * gemmABt(Float32Array.of(1, 2), 0, 2, Float32Array.of(3, 4), 0, 2, c, 0, 1, 1, 1, 2); // c = [11]
 * ```
 */
export function gemmABt(
  A: FloatData,
  aOff: number,
  lda: number,
  B: FloatData,
  bOff: number,
  ldb: number,
  C: FloatData,
  cOff: number,
  ldc: number,
  M: number,
  N: number,
  K: number,
): void {
  if (M <= 0 || N <= 0) return;
  if (K === 0) {
    for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return;
  }
  const nb = Math.max(4, (Math.floor(PANEL_ELEMS / K) >> 2) << 2);
  for (let j0 = 0; j0 < N; j0 += nb) {
    const j1 = Math.min(N, j0 + nb);
    let i = 0;
    for (; i + 4 <= M; i += 4) rows4(A, aOff + i * lda, lda, B, bOff, ldb, C, cOff + i * ldc, ldc, j0, j1, K);
    for (; i < M; i++) rows1(A, aOff + i * lda, B, bOff, ldb, C, cOff + i * ldc, j0, j1, K);
  }
}

/** Four rows of C, columns j0..j1. */
function rows4(
  A: FloatData,
  a0: number,
  lda: number,
  B: FloatData,
  bOff: number,
  ldb: number,
  C: FloatData,
  c0: number,
  ldc: number,
  j0: number,
  j1: number,
  K: number,
): void {
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const b0 = bOff + j * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    let c00 = 0,
      c01 = 0,
      c02 = 0,
      c03 = 0;
    let c10 = 0,
      c11 = 0,
      c12 = 0,
      c13 = 0;
    let c20 = 0,
      c21 = 0,
      c22 = 0,
      c23 = 0;
    let c30 = 0,
      c31 = 0,
      c32 = 0,
      c33 = 0;
    for (let p = 0; p < K; p++) {
      const x0 = A[a0 + p],
        x1 = A[a1 + p],
        x2 = A[a2 + p],
        x3 = A[a3 + p];
      const y0 = B[b0 + p],
        y1 = B[b1 + p],
        y2 = B[b2 + p],
        y3 = B[b3 + p];
      c00 += x0 * y0;
      c01 += x0 * y1;
      c02 += x0 * y2;
      c03 += x0 * y3;
      c10 += x1 * y0;
      c11 += x1 * y1;
      c12 += x1 * y2;
      c13 += x1 * y3;
      c20 += x2 * y0;
      c21 += x2 * y1;
      c22 += x2 * y2;
      c23 += x2 * y3;
      c30 += x3 * y0;
      c31 += x3 * y1;
      c32 += x3 * y2;
      c33 += x3 * y3;
    }
    let o = c0 + j;
    C[o] = c00;
    C[o + 1] = c01;
    C[o + 2] = c02;
    C[o + 3] = c03;
    o += ldc;
    C[o] = c10;
    C[o + 1] = c11;
    C[o + 2] = c12;
    C[o + 3] = c13;
    o += ldc;
    C[o] = c20;
    C[o + 1] = c21;
    C[o + 2] = c22;
    C[o + 3] = c23;
    o += ldc;
    C[o] = c30;
    C[o + 1] = c31;
    C[o + 2] = c32;
    C[o + 3] = c33;
  }
  for (; j < j1; j++) {
    const b0 = bOff + j * ldb;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let p = 0; p < K; p++) {
      const y = B[b0 + p];
      s0 += A[a0 + p] * y;
      s1 += A[a1 + p] * y;
      s2 += A[a2 + p] * y;
      s3 += A[a3 + p] * y;
    }
    C[c0 + j] = s0;
    C[c0 + ldc + j] = s1;
    C[c0 + 2 * ldc + j] = s2;
    C[c0 + 3 * ldc + j] = s3;
  }
}

/** One row of C, columns j0..j1. */
function rows1(A: FloatData, a0: number, B: FloatData, bOff: number, ldb: number, C: FloatData, c0: number, j0: number, j1: number, K: number): void {
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const b0 = bOff + j * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let p = 0; p < K; p++) {
      const x = A[a0 + p];
      s0 += x * B[b0 + p];
      s1 += x * B[b1 + p];
      s2 += x * B[b2 + p];
      s3 += x * B[b3 + p];
    }
    C[c0 + j] = s0;
    C[c0 + j + 1] = s1;
    C[c0 + j + 2] = s2;
    C[c0 + j + 3] = s3;
  }
  for (; j < j1; j++) {
    const b0 = bOff + j * ldb;
    let s = 0;
    for (let p = 0; p < K; p++) s += A[a0 + p] * B[b0 + p];
    C[c0 + j] = s;
  }
}

/**
 * The plain-JavaScript engine: `gemmABt` plus the epilogue, for float64
 * graphs and wherever WebAssembly SIMD is missing or turned off.
 *
 * @example
 * ```ts
 * import { jsGemm } from './gemm.js';
 * const c = new Float64Array(1);
 * jsGemm.abt(Float64Array.of(1, 2), 0, 2, Float64Array.of(3, 4), 0, 2, c, 0, 1, 1, 1, 2); // c = [11]
 * ```
 */
export const jsGemm: GemmEngine = {
  name: 'js',
  abt(A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K, epilogue) {
    if (epilogue?.reluA && M * K > 0) {
      const staged = new (A.constructor as Float32ArrayConstructor)(M * K);
      copyRowsRelu(A, aOff, lda, staged, 0, K, M, K);
      gemmABt(staged, 0, K, B, bOff, ldb, C, cOff, ldc, M, N, K);
    } else gemmABt(A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K);
    if (hasAdds(epilogue)) applyEpilogue(C, cOff, ldc, 0, M, N, epilogue);
  },
};
