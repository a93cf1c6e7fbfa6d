import { storeRows } from '../lib/epilogue.js';
import { ATB_TILE_M, ATB_TILE_N } from './gemm-atb-kernel.js';
import { copyRows, roundUp, type WasmRuntime } from './runtime.js';

/**
 * Rows of K per block at most. `gemm_atb` sums each block on its own and
 * adds it to C, so a float32 sum over K rows carries the rounding of
 * ~K/64 + 64 additions rather than K (a sequential sum over K = 250 rows was
 * already 1e-4 off in relative terms on cancelling values); the extra pass
 * over the register tile per block costs ~3%. The blocks (64 rows of A and
 * of B) stay in L1/L2 while every tile of C passes over them.
 */
const MAX_BLOCK_ROWS = 64;

/**
 * C = Aᵀ·B in float32 on the SIMD runtime, for A [K × M] and B [K × N]
 * row-major (row strides lda, ldb; C's ldc): the shape of every weight
 * gradient, where K is each row of a batch (12 288 in a SAS layer at
 * T = 512). The M × N sums stay in the heap while K streams past in blocks
 * of rows, each block of A and B copied in as it lies (contiguous rows, no
 * transpose) and contracted by `gemm_atb`, which adds each block's sums to
 * C. The blocks depend on K alone, so a product cut into column or row
 * panels (threads/gemm.ts) gives the same bits. With `reluA` (`reluB`), A
 * (B) is read through relu (a deferred activation).
 *
 * @example
 * ```ts
 * import { wasmAtb } from './atb.js';
 * import { WasmRuntime } from './runtime.js';
 * const c = new Float32Array(4);
 * // A = [[1, 2]] (K = 1, M = 2), B = [[3, 4]]: C = [[3, 4], [6, 8]]
 * wasmAtb(new WasmRuntime(), Float32Array.of(1, 2), 0, 2, Float32Array.of(3, 4), 0, 2, c, 0, 2, 2, 2, 1, false);
 * ```
 */
export function wasmAtb(
  rt: WasmRuntime,
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
  reluB = false,
): void {
  if (M === 0 || N === 0) return;
  const m4 = roundUp(M, ATB_TILE_M);
  const n8 = roundUp(N, ATB_TILE_N);
  const kb = Math.max(1, Math.min(K, MAX_BLOCK_ROWS));
  const cBase = 0;
  const aBase = cBase + m4 * n8;
  const bBase = aBase + kb * m4;
  const heap = rt.reserve(bBase + kb * n8);
  heap.fill(0, cBase, aBase);
  for (let k0 = 0; k0 < K; k0 += kb) {
    const rows = Math.min(kb, K - k0);
    // copyRows zeroes each row's padding, so padded columns of C stay 0 and are never read back.
    copyRows(A, aOff + k0 * lda, lda, heap, aBase, m4, rows, M);
    if (reluA) rt.reluInPlace(aBase * 4, rows * m4);
    copyRows(B, bOff + k0 * ldb, ldb, heap, bBase, n8, rows, N);
    if (reluB) rt.reluInPlace(bBase * 4, rows * n8);
    rt.gemmAtB(aBase * 4, bBase * 4, cBase * 4, m4, n8, rows, m4 * 4, n8 * 4, n8 * 4);
  }
  storeRows(heap, cBase, n8, C, cOff, ldc, 0, M, N, undefined);
}
