import type { FloatData } from '../handle.js';
import { hasAdds, shiftEpilogue, storeRows, type Epilogue } from '../lib/epilogue.js';
import { jsGemm, type GemmEngine } from '../lib/gemm.js';
import { TILE_K, TILE_M, TILE_N } from './gemm-kernel.js';
import { heapEpilogue } from './heap-epilogue.js';
import { copyRows, roundUp, WasmRuntime } from './runtime.js';
import { wasmAtb } from './atb.js';

/** Floats of B per column panel (and of A per row chunk): 256 KB, an L2-sized working set. */
const BLOCK_FLOATS = 1 << 16;

/** Products with K above this many floats are blocked along K too (see `abtLongK`). */
const LONG_K = 2048;
/** K floats per block of the long-K path, and rows / columns per tile of C there. */
const K_BLOCK = 512;
const TILE_C = 64;

/**
 * A float32 gemm engine on the WebAssembly SIMD kernel. Operands are copied
 * into the instance's linear memory, padded with zeros to the kernel's tile
 * multiples (so the kernel has no edge cases), B once per call and A in row
 * chunks; C comes back row by row, its epilogue (bias, addends) added in
 * the heap first (heap-epilogue.ts). Copies are O(MK + NK + MN) against O(MNK)
 * work, so products with less than `minWork` multiply-adds, and float64
 * operands, go to the JS loops instead.
 *
 * @example
 * ```ts
 * import { WasmGemm } from './engine.js';
 * const c = new Float32Array(4);
 * new WasmGemm(undefined, 0).abt(Float32Array.of(1, 2, 3, 4), 0, 2, Float32Array.of(1, 0, 0, 1), 0, 2, c, 0, 2, 2, 2, 2); // c = [1, 2, 3, 4]
 * ```
 */
export class WasmGemm implements GemmEngine {
  readonly name = 'wasm-simd';

  constructor(
    /** The instance and heap this engine stages operands in (shared with the fused attention). */
    readonly runtime: WasmRuntime = new WasmRuntime(),
    private readonly minWork = 1 << 12,
  ) {}

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
  ): void {
    if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) || M * N * K < this.minWork || M * N * K === 0) {
      jsGemm.abt(A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K, epilogue);
      return;
    }
    if (K > LONG_K) {
      this.abtLongK(A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K, epilogue);
      return;
    }
    const k4 = roundUp(K, TILE_K);
    const n4 = roundUp(N, TILE_N);
    const panel = Math.max(TILE_N, Math.floor(BLOCK_FLOATS / k4 / TILE_N) * TILE_N);
    const chunk = Math.min(roundUp(M, TILE_M), Math.max(TILE_M, Math.floor(BLOCK_FLOATS / k4 / TILE_M) * TILE_M));
    const bBase = 0;
    const aBase = bBase + n4 * k4;
    const cBase = aBase + chunk * k4;
    // Scratch for the epilogue's operands (heap-epilogue.ts), after the C block.
    const scratch = cBase + chunk * n4;
    const adds = hasAdds(epilogue);
    const heap = this.runtime.reserve(scratch + (adds ? chunk * n4 : 0));
    const gemm = this.runtime.gemm;
    copyRows(B, bOff, ldb, heap, bBase, k4, N, K);
    for (let i0 = 0; i0 < M; i0 += chunk) {
      const rows = Math.min(chunk, M - i0);
      copyRows(A, aOff + i0 * lda, lda, heap, aBase, k4, rows, K);
      if (epilogue?.reluA) this.runtime.reluInPlace(aBase * 4, rows * k4);
      const rows2 = roundUp(rows, TILE_M);
      for (let j0 = 0; j0 < n4; j0 += panel) {
        const cols = Math.min(panel, n4 - j0);
        gemm(aBase * 4, (bBase + j0 * k4) * 4, (cBase + j0) * 4, rows2, cols, k4, k4 * 4, k4 * 4, n4 * 4);
      }
      const inHeap = adds && heapEpilogue(this.runtime, cBase, n4, rows, n4, N, epilogue!, i0, ldc, scratch);
      storeRows(this.runtime.heap, cBase, n4, C, cOff, ldc, i0, rows, N, inHeap ? undefined : epilogue);
    }
  }

  /** C = Aᵀ·B on the `gemm_atb` kernel (see atb.ts): no operand is transposed. */
  atb(
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
    wasmAtb(this.runtime, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K, reluA, reluB);
  }

  /**
   * C = A·Bᵀ for long K (weight gradients: K is every row of a batch, e.g.
   * 12288): C in 64×64 tiles, each summed over K blocks of 512 with
   * `gemm_acc`, so the A and B blocks in use (2 × 128 KB) stay in L2 instead
   * of streaming all of B past every few rows of A.
   */
  private abtLongK(
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
    epilogue?: Epilogue,
  ): void {
    const aBase = 0;
    const bBase = aBase + TILE_C * K_BLOCK;
    const cBase = bBase + TILE_C * K_BLOCK;
    const scratch = cBase + TILE_C * TILE_C;
    const adds = hasAdds(epilogue);
    this.runtime.reserve(scratch + (adds ? TILE_C * TILE_C : 0));
    for (let i0 = 0; i0 < M; i0 += TILE_C) {
      const rows = Math.min(TILE_C, M - i0);
      const rows2 = roundUp(rows, TILE_M);
      for (let j0 = 0; j0 < N; j0 += TILE_C) {
        const cols = Math.min(TILE_C, N - j0);
        const cols4 = roundUp(cols, TILE_N);
        for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
          const kw = Math.min(K_BLOCK, K - k0);
          const kw4 = roundUp(kw, TILE_K);
          const heap = this.runtime.heap;
          copyRows(A, aOff + i0 * lda + k0, lda, heap, aBase, kw4, rows, kw);
          if (rows2 > rows) heap.fill(0, aBase + rows * kw4, aBase + rows2 * kw4);
          if (epilogue?.reluA) this.runtime.reluInPlace(aBase * 4, rows2 * kw4);
          copyRows(B, bOff + j0 * ldb + k0, ldb, heap, bBase, kw4, cols, kw);
          if (cols4 > cols) heap.fill(0, bBase + cols * kw4, bBase + cols4 * kw4);
          const gemm = k0 === 0 ? this.runtime.gemm : this.runtime.gemmAcc;
          gemm(aBase * 4, bBase * 4, cBase * 4, rows2, cols4, kw4, kw4 * 4, kw4 * 4, cols4 * 4);
        }
        const ep = shiftEpilogue(epilogue, { cols: j0 });
        const inHeap = adds && heapEpilogue(this.runtime, cBase, cols4, rows, cols4, cols, ep!, i0, ldc, scratch);
        storeRows(this.runtime.heap, cBase, cols4, C, cOff + j0, ldc, i0, rows, cols, inHeap ? undefined : ep);
      }
    }
  }
}
