import type { FloatData } from '../handle.js';
import { hasAdds, storeRows, type Epilogue, type EpilogueOperand } from '../lib/epilogue.js';
import type { GemmEngine } from '../lib/gemm.js';
import { TILE_M } from '../wasm/gemm-kernel.js';
import type { WasmGemm } from '../wasm/engine.js';
import { splitRange, type ThreadPool } from './pool.js';
import { isShared, shared, sharedFloat32 } from './shared.js';

/** Products with fewer multiply-adds than this stay on one thread (waking workers and copying operands cost ~0.1–1 ms). */
export const THREAD_MIN_WORK = 1 << 23;

/** The rows `off .. off + (rows−1)·ld + cols` of `data` as a shared copy starting at 0 (or `data` itself when already shared). */
function sharedBlock(data: Float32Array, off: number, ld: number, rows: number, cols: number): { data: Float32Array; off: number } {
  if (isShared(data)) return { data, off };
  return { data: shared(data.subarray(off, off + (rows - 1) * ld + cols)), off: 0 };
}

/** A bias operand workers can read: shared as is, else a shared copy of the `n` values used. */
function sharedOperand(op: EpilogueOperand | undefined, n: number): EpilogueOperand | undefined {
  if (!op || isShared(op.data)) return op;
  return { data: shared(op.data.subarray(op.off, op.off + n) as Float32Array), off: 0 };
}

/**
 * The epilogue workers apply themselves, or undefined when the calling thread
 * must (an addend, C-sized, is not in shared memory: copying it would cost
 * what it saves). Biases are small and copied when needed.
 */
function workerEpilogue(ep: Epilogue | undefined, M: number, N: number): Epilogue | undefined {
  const reluOnly: Epilogue | undefined = ep?.reluA ? { reluA: true } : undefined;
  if (!hasAdds(ep)) return reluOnly;
  if (ep.addends?.some((a) => !isShared(a.data))) return undefined;
  return { ...ep, colBias: sharedOperand(ep.colBias, N), rowBias: sharedOperand(ep.rowBias, M) };
}

/** `ep` for the block of rows starting at `lo` (row biases and addends move; column biases don't). */
function shiftRows(ep: Epilogue | undefined, lo: number, ldc: number): Epilogue | undefined {
  if (!ep) return ep;
  return {
    ...ep,
    rowBias: ep.rowBias && { data: ep.rowBias.data, off: ep.rowBias.off + lo },
    addends: ep.addends?.map((a) => ({ data: a.data, off: a.off + lo * ldc })),
  };
}

/**
 * The SIMD gemm engine with large products split by rows of C across a
 * thread pool: each thread runs the same kernel on its own rows (B is read
 * by all), so results are identical to the single-thread engine's.
 *
 * Memory: while a parallel pool is alive, large values are allocated shared
 * (see shared.ts), so usually nothing is copied and every thread stores its
 * rows straight into C, applying the epilogue (biases, addends, relu on A) as
 * the single-thread engine does. Operands that are not shared (feeds) are
 * copied there (only the block used); when C itself is not shared, threads
 * write raw products into a shared M×N block that the calling thread then
 * stores into C with the epilogue (`storeRows`).
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
    // In place when C is shared; else a shared staging block (freed when this call returns).
    const direct = isShared(C);
    const target = direct ? { data: C, off: cOff, ld: ldc } : { data: sharedFloat32(M * N), off: 0, ld: N };
    const inWorkers = direct ? workerEpilogue(epilogue, M, N) : undefined;
    const reluA = epilogue?.reluA === true;
    // Raw products (plus relu on A) when the epilogue is left to this thread.
    const ep = inWorkers ?? (reluA ? { reluA: true } : undefined);
    const tasks = splitRange(M, this.pool.size, TILE_M).map(([lo, hi]) => ({
      kind: 'gemm',
      A: a.data,
      aOff: a.off + lo * lda,
      lda,
      B: b.data,
      bOff: b.off,
      ldb,
      C: target.data,
      cOff: target.off + lo * target.ld,
      ldc: target.ld,
      M: hi - lo,
      N,
      K,
      epilogue: shiftRows(ep, lo, target.ld),
    }));
    this.pool.run(tasks, (t) => {
      const g = t as (typeof tasks)[number];
      this.base.abt(g.A, g.aOff, g.lda, g.B, g.bOff, g.ldb, g.C, g.cOff, g.ldc, g.M, g.N, g.K, g.epilogue);
    });
    // Same expression as the single-thread store, so the same bits (in place is safe: each element is read before it is written).
    if (!direct || (inWorkers === undefined && hasAdds(epilogue))) storeRows(target.data, target.off, target.ld, C, cOff, ldc, 0, M, N, epilogue);
  }
}
