import type { FloatData } from '../handle.js';
import { storeRows, type Epilogue } from '../lib/epilogue.js';
import type { GemmEngine } from '../lib/gemm.js';
import { TILE_M } from '../wasm/gemm-kernel.js';
import type { WasmGemm } from '../wasm/engine.js';
import { shared, sharedFloat32, splitRange, type ThreadPool } from './pool.js';

/** Products with fewer multiply-adds than this stay on one thread (waking workers and copying operands cost ~0.1–1 ms). */
export const THREAD_MIN_WORK = 1 << 23;

/** The rows `off .. off + (rows−1)·ld + cols` of `data` as a shared copy starting at 0 (or `data` itself when already shared). */
function sharedBlock(data: Float32Array, off: number, ld: number, rows: number, cols: number): { data: Float32Array; off: number } {
  if (data.buffer instanceof SharedArrayBuffer) return { data, off };
  return { data: shared(data.subarray(off, off + (rows - 1) * ld + cols)), off: 0 };
}

/**
 * The SIMD gemm engine with large products split by rows of C across a
 * thread pool: each thread runs the same kernel on its own rows (B is read
 * by all). Operands not already in shared memory are copied there (only the
 * block used); every thread writes raw products into one shared M×N block
 * (relu on A applied while staging), and the calling thread then stores it
 * into C with the epilogue's biases and addends, exactly as the
 * single-thread engine does (`storeRows`), so results are identical.
 *
 * @example
 * ```ts
 * import { ThreadedGemm } from './gemm.js';
 * import { ThreadPool } from './pool.js';
 * import { WasmGemm } from '../wasm/engine.js';
 * const engine = new ThreadedGemm(new WasmGemm(), new ThreadPool(1));
 * const c = new Float32Array(4);
 * engine.abt(Float32Array.of(1, 2, 3, 4), 0, 2, Float32Array.of(1, 0, 0, 1), 0, 2, c, 0, 2, 2, 2, 2); // c = [1, 2, 3, 4]
 * ```
 */
export class ThreadedGemm implements GemmEngine {
  readonly name: string;

  constructor(
    private readonly base: WasmGemm,
    private readonly pool: ThreadPool,
    private readonly minWork = THREAD_MIN_WORK,
  ) {
    this.name = base.name;
  }

  abt(A: FloatData, aOff: number, lda: number, B: FloatData, bOff: number, ldb: number, C: FloatData, cOff: number, ldc: number, M: number, N: number, K: number, epilogue?: Epilogue): void {
    if (!this.pool.parallel || !(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) || M * N * K < this.minWork || M < 2 * TILE_M) {
      this.base.abt(A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K, epilogue);
      return;
    }
    const a = sharedBlock(A, aOff, lda, M, K);
    const b = sharedBlock(B, bOff, ldb, N, K);
    const c = sharedFloat32(M * N);
    const reluA = epilogue?.reluA === true;
    const tasks = splitRange(M, this.pool.size, TILE_M).map(([lo, hi]) => ({
      kind: 'gemm',
      A: a.data,
      aOff: a.off + lo * lda,
      lda,
      B: b.data,
      bOff: b.off,
      ldb,
      C: c,
      cOff: lo * N,
      ldc: N,
      M: hi - lo,
      N,
      K,
      reluA,
    }));
    this.pool.run(tasks, (t) => {
      const g = t as (typeof tasks)[number];
      this.base.abt(g.A, g.aOff, g.lda, g.B, g.bOff, g.ldb, g.C, g.cOff, g.ldc, g.M, g.N, g.K, reluA ? { reluA: true } : undefined);
    });
    storeRows(c, 0, N, C, cOff, ldc, 0, M, N, epilogue);
  }
}
