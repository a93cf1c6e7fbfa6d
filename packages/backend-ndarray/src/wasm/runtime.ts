import { gemmModuleBytes } from './gemm-kernel.js';

type GemmExport = (a: number, b: number, c: number, m: number, n: number, k: number, lda: number, ldb: number, ldc: number) => void;
type SoftmaxExport = (ptr: number, rows: number, ld: number, v0: number, dv: number, width: number, scale: number) => void;
type SoftmaxGradExport = (p: number, dp: number, d: number, rows: number, width4: number, ld: number, scale: number) => void;
type ReluExport = (ptr: number, n: number) => void;
type AddRowsExport = (c: number, a: number, rows: number, n4: number, ldc: number, lda: number) => void;
type AddRowScalarsExport = (c: number, b: number, rows: number, n4: number, ldc: number) => void;
type ConvLayoutExport = (src: number, dst: number, count: number, channels: number, length: number, a: number, b: number) => void;

const PAGE_BYTES = 65536;
let compiled: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null where WebAssembly SIMD is unavailable. Compiled once per process. */
function simdModule(): WebAssembly.Module | null {
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
 * import { wasmSimdAvailable } from './runtime.js';
 * wasmSimdAvailable(); // true on Node 20 and current browsers
 * ```
 */
export function wasmSimdAvailable(): boolean {
  return simdModule() !== null;
}

/**
 * One instance of the SIMD module with its own linear memory, used as a
 * scratch heap: callers stage float32 operands at float offsets they choose,
 * call `gemm` / `softmaxRows` with byte pointers, and read results back.
 * Growing the memory replaces `heap`, so take the view after `reserve`.
 *
 * @example
 * ```ts
 * import { WasmRuntime } from './runtime.js';
 * const rt = new WasmRuntime();
 * const heap = rt.reserve(1024); // at least 1024 floats
 * ```
 */
export class WasmRuntime {
  readonly gemm: GemmExport;
  /** As `gemm`, but C += A·Bᵀ. */
  readonly gemmAcc: GemmExport;
  /** C += Aᵀ·B for A [K×M], B [K×N] row-major; M a multiple of 4, N of 8 (gemm-atb-kernel.ts). */
  readonly gemmAtB: GemmExport;
  readonly softmaxRows: SoftmaxExport;
  /** p ← scale·p·(dp − d[row]) on rows of P in place (softmax-grad-kernel.ts). */
  readonly softmaxGradRows: SoftmaxGradExport;
  /** Relu in place on `n` floats (a multiple of 4) at byte `ptr`. */
  readonly reluInPlace: ReluExport;
  /** c[r, j] += a[r, j] over rows of n4 floats (byte strides; lda 0: one vector for every row) (epilogue-kernel.ts). */
  readonly addRows: AddRowsExport;
  /** c[r, j] += b[r] over rows of n4 floats (byte stride ldc) (epilogue-kernel.ts). */
  readonly addRowScalars: AddRowScalarsExport;
  /** (src, dst, count, channels, length, sampleStride, c4): samples [C, L] to rows of c4 floats (conv-layout-kernel.ts). */
  readonly convStage: ConvLayoutExport;
  /** (src, dst, count, channels, length, ld, sampleStride): a conv's product block to [count, O, L] (conv-layout-kernel.ts). */
  readonly convGather: ConvLayoutExport;
  private readonly memory: WebAssembly.Memory;
  heap: Float32Array;

  constructor() {
    const module = simdModule();
    if (!module) throw new Error('WebAssembly SIMD is not available in this runtime');
    this.memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.gemm = instance.exports.gemm as GemmExport;
    this.gemmAcc = instance.exports.gemm_acc as GemmExport;
    this.gemmAtB = instance.exports.gemm_atb as GemmExport;
    this.softmaxRows = instance.exports.softmax_rows as SoftmaxExport;
    this.softmaxGradRows = instance.exports.softmax_grad_rows as SoftmaxGradExport;
    this.reluInPlace = instance.exports.relu as ReluExport;
    this.addRows = instance.exports.add_rows as AddRowsExport;
    this.addRowScalars = instance.exports.add_row_scalars as AddRowScalarsExport;
    this.convStage = instance.exports.conv_stage as ConvLayoutExport;
    this.convGather = instance.exports.conv_gather as ConvLayoutExport;
    this.heap = new Float32Array(this.memory.buffer);
  }

  /** Makes the heap at least `floats` long and returns the current view. */
  reserve(floats: number): Float32Array {
    const bytes = floats * 4;
    if (this.memory.buffer.byteLength < bytes) {
      this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / PAGE_BYTES));
      this.heap = new Float32Array(this.memory.buffer);
    }
    return this.heap;
  }
}

/**
 * `n` rounded up to a multiple of `m` (the kernels' tile sizes; operands are padded to them).
 *
 * @example
 * ```ts
 * import { roundUp } from './runtime.js';
 * roundUp(5, 4); // 8
 * ```
 */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/**
 * Copies `rows` rows of `k` floats (source stride `ld`) to `dst[base..]` with
 * stride `k4`, zeroing the `k4 − k` padding floats of each row.
 *
 * @example
 * ```ts
 * import { copyRows } from './runtime.js';
 * const dst = new Float32Array(8).fill(9);
 * copyRows(Float32Array.of(1, 2, 3, 4, 5, 6), 0, 3, dst, 0, 4, 2, 3); // dst = [1, 2, 3, 0, 4, 5, 6, 0]
 * ```
 */
export function copyRows(src: Float32Array, off: number, ld: number, dst: Float32Array, base: number, k4: number, rows: number, k: number): void {
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
