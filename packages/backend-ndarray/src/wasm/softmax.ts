import type { NdHandle } from '../handle.js';
import { copyRows, type WasmRuntime } from './runtime.js';

/** Floats staged per call: 1 MB. */
const CHUNK_FLOATS = 1 << 18;

/**
 * Softmax over the last axis of a float32 tensor on the SIMD runtime: rows
 * are staged in chunks (padded to 4 floats), `softmax_rows` runs on them in
 * place, and they are copied back. Same semantics as the JS kernel (−Inf
 * entries give 0, an all −Inf row NaN).
 *
 * @example
 * ```ts
 * import { wasmSoftmax } from './softmax.js';
 * import { WasmRuntime } from './runtime.js';
 * import { wrap } from '../handle.js';
 * const out = wrap(new Float32Array(2), [1, 2]);
 * wasmSoftmax(new WasmRuntime(), wrap(Float32Array.of(0, 0), [1, 2]), out); // [0.5, 0.5]
 * ```
 */
export function wasmSoftmax(rt: WasmRuntime, x: NdHandle, out: NdHandle): void {
  const n = x.shape[x.shape.length - 1];
  if (n === 0 || out.data.length === 0) return;
  const src = x.data as Float32Array;
  const dst = out.data as Float32Array;
  const n4 = Math.ceil(n / 4) * 4;
  const total = src.length / n;
  const chunk = Math.max(1, Math.floor(CHUNK_FLOATS / n4));
  rt.reserve(Math.min(chunk, total) * n4);
  for (let r0 = 0; r0 < total; r0 += chunk) {
    const rows = Math.min(chunk, total - r0);
    copyRows(src, r0 * n, n, rt.heap, 0, n4, rows, n);
    rt.softmaxRows(0, rows, n4 * 4, n, 0, n, 1);
    const heap = rt.heap;
    if (n4 === n) dst.set(heap.subarray(0, rows * n), r0 * n);
    else for (let r = 0; r < rows; r++) dst.set(heap.subarray(r * n4, r * n4 + n), (r0 + r) * n);
  }
}
