import { TILE_M, TILE_N } from './gemm-kernel.js';
import { roundUp, type WasmRuntime } from './runtime.js';

/** Floats of staged samples (x and g rows) per pass: 512 KB, an L2-sized working set. */
const CHUNK_FLOATS = 1 << 17;

/**
 * The weight gradient of Conv1d straight from x [N, C, L] and the output's
 * cotangent g [N, O, Lout], written as the graph's `[C, O, k]` value:
 * `dw[c, o, t] = Σ_n Σ_j x[n, c, j + t − pad] · g[n, o, j]`.
 *
 * Core's VJP writes this as a Conv1d of transpose(x) by transpose(g)
 * (batch and channel roles swapped: a conv whose "kernel" is Lout long),
 * which costs two transposes and a product 3 columns wide. Here each sample
 * is staged as it lies: x's rows with `pad` zeros before them (so row c read
 * from float t is x[n, c, t − pad ..]) and g's rows; then, per sample and
 * tap, `gemm_acc` adds x_nᵗ·g_nᵀ (K = Lout) to that tap's C×O block of
 * sums. With `reluX`, x is read through relu (a deferred activation). Rows
 * `c0 .. c1` only when given (a thread's share; a multiple of the kernel's
 * 2-row tile apart, except at the end).
 *
 * @example
 * ```ts
 * import { wasmConvWeightGrad } from './conv-weight-grad.js';
 * import { WasmRuntime } from './runtime.js';
 * const dw = new Float32Array(3);
 * // x = [1, 2, 3], g = [1, 1, 1], pad 1, k 3 (N = C = O = 1): dw = [3, 6, 5]
 * wasmConvWeightGrad(new WasmRuntime(), Float32Array.of(1, 2, 3), [1, 1, 3], Float32Array.of(1, 1, 1), [1, 1, 3], 1, dw);
 * ```
 */
export function wasmConvWeightGrad(
  rt: WasmRuntime,
  x: Float32Array,
  xShape: readonly number[],
  g: Float32Array,
  gShape: readonly number[],
  pad: number,
  dw: Float32Array,
  reluX = false,
  rows: readonly [number, number] = [0, xShape[1]],
): void {
  const [n, channels, length] = xShape;
  const [, outChannels, outLen] = gShape;
  const k = length + 2 * pad - outLen + 1;
  const [c0, c1] = rows;
  const m = c1 - c0;
  if (m <= 0 || outChannels === 0) return;
  const m2 = roundUp(m, TILE_M);
  const o4 = roundUp(outChannels, TILE_N);
  const k4 = roundUp(outLen, 4);
  const stride = roundUp(k - 1 + k4, 4); // staged x row: pad zeros, x's row, zeros up to the last tap's window
  const perSample = m2 * stride + o4 * k4;
  const chunk = Math.max(1, Math.min(n, Math.floor(CHUNK_FLOATS / perSample)));
  const sums = m2 * o4; // one tap's block of sums
  const xBase = k * sums;
  const gBase = xBase + chunk * m2 * stride;
  const heap = rt.reserve(gBase + chunk * o4 * k4);
  // Padding (row ends, rows past m or O) is zeroed once; only the data part of each row is rewritten.
  heap.fill(0, 0, gBase + chunk * o4 * k4);
  const gContiguous = outLen === k4;
  for (let s0 = 0; s0 < n; s0 += chunk) {
    const count = Math.min(chunk, n - s0);
    for (let i = 0; i < count; i++) {
      const xs = ((s0 + i) * channels + c0) * length;
      const xd = xBase + i * m2 * stride + pad;
      for (let c = 0; c < m; c++) {
        const src = xs + c * length;
        const dst = xd + c * stride;
        for (let p = 0; p < length; p++) heap[dst + p] = x[src + p];
      }
      const gs = (s0 + i) * outChannels * outLen;
      const gd = gBase + i * o4 * k4;
      if (gContiguous) heap.set(g.subarray(gs, gs + outChannels * outLen), gd);
      else for (let o = 0; o < outChannels; o++) for (let j = 0; j < outLen; j++) heap[gd + o * k4 + j] = g[gs + o * outLen + j];
    }
    // Padding is zero and stays zero under relu.
    if (reluX) rt.reluInPlace(xBase * 4, count * m2 * stride);
    for (let i = 0; i < count; i++) {
      const a = xBase + i * m2 * stride;
      const b = gBase + i * o4 * k4;
      for (let t = 0; t < k; t++) rt.gemmAcc((a + t) * 4, b * 4, t * sums * 4, m2, o4, k4, stride * 4, k4 * 4, o4 * 4);
    }
  }
  for (let c = 0; c < m; c++)
    for (let o = 0; o < outChannels; o++) for (let t = 0; t < k; t++) dw[((c0 + c) * outChannels + o) * k + t] = heap[t * sums + c * o4 + o];
}
