import type { FloatData } from '../handle.js';
import { applyEpilogue, copyRowsRelu, hasAdds, type Epilogue } from '../lib/epilogue.js';
import { jsGemm, type GemmEngine } from '../lib/gemm.js';
import { gemmModuleBytes, TILE_K, TILE_M, TILE_N } from './gemm-kernel.js';

type GemmExport = (a: number, b: number, c: number, m: number, n: number, k: number, lda: number, ldb: number, ldc: number) => void;

/** Floats of B per column panel (and of A per row chunk): 256 KB, an L2-sized working set. */
const BLOCK_FLOATS = 1 << 16;
const PAGE_BYTES = 65536;

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null where WebAssembly SIMD is unavailable. Compiled once per process. */
function gemmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = gemmModuleBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * True where this runtime runs the WebAssembly SIMD kernels.
 *
 * @example
 * ```ts
 * import { wasmSimdAvailable } from './engine.js';
 * wasmSimdAvailable(); // true on Node 20 and current browsers
 * ```
 */
export function wasmSimdAvailable(): boolean {
  return gemmModule() !== null;
}

/**
 * A float32 gemm engine on the WebAssembly SIMD kernel. Operands are copied
 * into the instance's linear memory, padded with zeros to the kernel's tile
 * multiples (so the kernel has no edge cases), B once per call and A in row
 * chunks; C comes back row by row. Copies are O(MK + NK + MN) against O(MNK)
 * work, so products with less than `minWork` multiply-adds, and float64
 * operands, go to the JS loops instead.
 */
export class WasmGemm implements GemmEngine {
  readonly name = 'wasm-simd';
  private readonly memory: WebAssembly.Memory;
  private readonly gemm: GemmExport;
  private heap: Float32Array;

  constructor(private readonly minWork = 1 << 12) {
    const module = gemmModule();
    if (!module) throw new Error('WebAssembly SIMD is not available in this runtime');
    this.memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.gemm = instance.exports.gemm as GemmExport;
    this.heap = new Float32Array(this.memory.buffer);
  }

  /** Makes the heap at least `floats` long (growing the memory invalidates old views). */
  private reserve(floats: number): Float32Array {
    const bytes = floats * 4;
    if (this.memory.buffer.byteLength < bytes) {
      this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / PAGE_BYTES));
      this.heap = new Float32Array(this.memory.buffer);
    }
    return this.heap;
  }

  abt(A: FloatData, aOff: number, lda: number, B: FloatData, bOff: number, ldb: number, C: FloatData, cOff: number, ldc: number, M: number, N: number, K: number, epilogue?: Epilogue): void {
    if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) || M * N * K < this.minWork || M * N * K === 0) {
      jsGemm.abt(A, aOff, lda, B, bOff, ldb, C, cOff, ldc, M, N, K, epilogue);
      return;
    }
    const k4 = roundUp(K, TILE_K);
    const n4 = roundUp(N, TILE_N);
    const panel = Math.max(TILE_N, Math.floor(BLOCK_FLOATS / k4 / TILE_N) * TILE_N);
    const chunk = Math.min(roundUp(M, TILE_M), Math.max(TILE_M, Math.floor(BLOCK_FLOATS / k4 / TILE_M) * TILE_M));
    const bBase = 0;
    const aBase = bBase + n4 * k4;
    const cBase = aBase + chunk * k4;
    const heap = this.reserve(cBase + chunk * n4);
    copyRows(B, bOff, ldb, heap, bBase, k4, N, K);
    for (let i0 = 0; i0 < M; i0 += chunk) {
      const rows = Math.min(chunk, M - i0);
      if (epilogue?.reluA) copyRowsRelu(A, aOff + i0 * lda, lda, heap, aBase, k4, rows, K);
      else copyRows(A, aOff + i0 * lda, lda, heap, aBase, k4, rows, K);
      const rows2 = roundUp(rows, TILE_M);
      for (let j0 = 0; j0 < n4; j0 += panel) {
        const cols = Math.min(panel, n4 - j0);
        this.gemm(aBase * 4, (bBase + j0 * k4) * 4, (cBase + j0) * 4, rows2, cols, k4, k4 * 4, k4 * 4, n4 * 4);
      }
      for (let r = 0; r < rows; r++) C.set(heap.subarray(cBase + r * n4, cBase + r * n4 + N), cOff + (i0 + r) * ldc);
      if (hasAdds(epilogue)) applyEpilogue(C, cOff, ldc, i0, rows, N, epilogue);
    }
  }
}

/** Copies `rows` rows of `k` floats (source stride `ld`) to `dst[base..]` with stride `k4`, zeroing the padding. */
function copyRows(src: Float32Array, off: number, ld: number, dst: Float32Array, base: number, k4: number, rows: number, k: number): void {
  if (ld === k && k4 === k) {
    dst.set(src.subarray(off, off + rows * k), base);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const d = base + r * k4;
    dst.set(src.subarray(off + r * ld, off + r * ld + k), d);
    if (k4 > k) dst.fill(0, d + k, d + k4);
  }
}
