import type { FloatData } from '../handle.js';
import { hasAdds, storeRows, type Epilogue, type EpilogueOperand } from '../lib/epilogue.js';
import type { GemmEngine } from '../lib/gemm.js';
import { TILE_M } from '../wasm/gemm-kernel.js';
import { ATB_TILE_M, ATB_TILE_N } from '../wasm/gemm-atb-kernel.js';
import { WasmGemm } from '../wasm/engine.js';
import type { ThreadPool } from './pool.js';
import { isShared, shared, sharedFloat32 } from './shared.js';
import { runAtbChunk, runGemmChunk, type AtbTask, type GemmTask } from './tasks.js';

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

/** Multiply-adds per chunk at least (each chunk restages B in its thread's heap). */
const CHUNK_MIN_WORK = 1 << 21;

/**
 * Row boundaries of a product's chunks, largest first ("guided"): each
 * chunk takes 1/(2·threads) of the rows still left, at least `minRows` (and
 * whole row tiles but the last), so the last chunks, which decide how long
 * one thread waits for the other, are short. With eight equal chunks a
 * training step's products spent 43 ms a step with the calling thread
 * waiting for a worker's last chunk.
 *
 * @example
 * ```ts
 * import { guidedStarts } from './gemm.js';
 * guidedStarts(100, 2, 2, 10); // [0, 26, 46, 60, 70, 80, 90, 100]
 * ```
 */
export function guidedStarts(M: number, threads: number, tile: number, minRows: number): number[] {
  const starts = [0];
  for (let lo = 0; lo < M; ) {
    const share = Math.ceil((M - lo) / (2 * threads) / tile) * tile;
    lo = Math.min(M, lo + Math.max(minRows, share));
    starts.push(lo);
  }
  return starts;
}

/**
 * The SIMD gemm engine with large products split by rows of C across a
 * thread pool: the rows are cut into chunks that shrink towards the end
 * (`guidedStarts`), each thread claims chunk after chunk
 * (`ThreadPool.runChunks`) and runs the same kernel on its rows (B is read
 * by all), so results are identical to the single-thread engine's whichever
 * thread ran which chunk.
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
  /**
   * The base engine's runtime with no size floor, for this thread's chunks: a
   * short last chunk must not fall back to the JS loops (different rounding),
   * as the workers' engines never do.
   */
  private readonly chunkEngine: WasmGemm;

  constructor(
    private readonly base: WasmGemm,
    private readonly pool: ThreadPool,
    private readonly minWork = THREAD_MIN_WORK,
  ) {
    this.name = base.name;
    this.chunkEngine = new WasmGemm(base.runtime, 0);
  }

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
    if (
      !this.pool.parallel ||
      !(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) ||
      M * N * K < this.minWork ||
      M < 2 * TILE_M
    ) {
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
    const minRows = Math.max(TILE_M, Math.ceil(CHUNK_MIN_WORK / (N * K) / TILE_M) * TILE_M);
    const starts = guidedStarts(M, this.pool.size, TILE_M, minRows);
    const task: GemmTask = {
      kind: 'gemm',
      A: a.data,
      aOff: a.off,
      lda,
      B: b.data,
      bOff: b.off,
      ldb,
      C: target.data,
      cOff: target.off,
      ldc: target.ld,
      M,
      N,
      K,
      starts,
      chunks: starts.length - 1,
      epilogue: ep,
    };
    this.pool.runChunks(task, (i) => runGemmChunk(this.chunkEngine, task, i));
    // Same expression as the single-thread store, so the same bits (in place is safe: each element is read before it is written).
    if (!direct || (inWorkers === undefined && hasAdds(epilogue))) storeRows(target.data, target.off, target.ld, C, cOff, ldc, 0, M, N, epilogue);
  }

  /**
   * C = Aᵀ·B with C cut into panels along its longer side, one panel per
   * chunk: every thread stages all of K for its panel (the part of A or B
   * outside it is not read), so nothing is summed across threads and the
   * bits equal the single-thread product's.
   */
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
    const split = N >= M ? 'n' : 'm';
    const tile = split === 'n' ? ATB_TILE_N : ATB_TILE_M;
    const extent = split === 'n' ? N : M;
    if (!this.pool.parallel || M * N * K < this.minWork || extent < 2 * tile) {
      this.base.atb(A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K, reluA, reluB);
      return;
    }
    const a = sharedBlock(A, aOff, lda, K, M);
    const b = sharedBlock(B, bOff, ldb, K, N);
    const direct = isShared(C);
    const target = direct ? { data: C, off: cOff, ld: ldc } : { data: sharedFloat32(M * N), off: 0, ld: N };
    const panel = Math.ceil(extent / this.pool.size / tile) * tile;
    const task: AtbTask = {
      kind: 'atb',
      A: a.data,
      aOff: a.off,
      lda,
      B: b.data,
      bOff: b.off,
      ldb,
      C: target.data,
      cOff: target.off,
      ldc: target.ld,
      M,
      N,
      K,
      reluA,
      reluB,
      split,
      panel,
      chunks: Math.ceil(extent / panel),
    };
    this.pool.runChunks(task, (i) => runAtbChunk(this.chunkEngine, task, i));
    if (!direct) storeRows(target.data, 0, N, C, cOff, ldc, 0, M, N, undefined);
  }
}
