import type { NdHandle } from '../handle.js';
import { shiftEpilogue, storeRows, type Epilogue } from '../lib/epilogue.js';
import { transpose2d } from '../lib/transpose2d.js';
import { roundUp, type WasmRuntime } from './runtime.js';

/** Floats of staged samples per gemm call (about 1 MB with the output block). */
const CHUNK_FLOATS = 1 << 17;

/**
 * Conv1d on the SIMD runtime, many samples per product. Each sample is
 * staged transposed as (L + 2·pad) rows of C4 floats (channels padded to a
 * multiple of 4, zero rows as the padding) directly in the heap, samples
 * back to back; with the kernel reordered to `wr[o, t·C4 + c]`, output
 * position j of the chunk reads the k·C4 consecutive floats starting at row
 * j. So a single gemm with the right operand's rows overlapping (row stride
 * C4) computes every position of the chunk; the (k − 1) positions that
 * straddle two samples are computed and dropped. Bias, addends and relu as
 * in `conv1dInto`.
 *
 * @example
 * ```ts
 * import { wasmConv1d } from './conv.js';
 * import { WasmRuntime } from './runtime.js';
 * import { wrap } from '../handle.js';
 * const out = wrap(new Float32Array(3), [1, 1, 3]);
 * wasmConv1d(new WasmRuntime(), wrap(Float32Array.of(1, 2, 3), [1, 1, 3]), wrap(Float32Array.of(1, 1, 1), [1, 1, 3]), 1, out); // [3, 6, 5]
 * ```
 */
export function wasmConv1d(rt: WasmRuntime, x: NdHandle, w: NdHandle, pad: number, out: NdHandle, epilogue?: Epilogue, reluX = false): void {
  const [batch, channels, length] = x.shape;
  const [outChannels, , k] = w.shape;
  const outLen = out.shape[2];
  if (out.data.length === 0) return;
  const xd = x.data as Float32Array;
  const wd = w.data;
  const od = out.data as Float32Array;
  const c4 = roundUp(channels, 4);
  const kc4 = k * c4;
  const o2 = roundUp(outChannels, 2);
  const span = length + 2 * pad; // staged rows per sample
  const perChunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_FLOATS / (span * c4 + o2 * span))));
  // One product per chunk computes `span` positions per sample of which `outLen`
  // are kept; when the kernel is long (outLen ≪ span, as in the weight gradient
  // of a conv) one product per sample over its `outLen` positions wastes less.
  const perSample = roundUp(outLen, 4) < 0.75 * span;
  const positions = perSample ? outLen : perChunk * span;
  const n4 = roundUp(positions, 4);
  // Heap: wr [o2, kc4] | staged rows [(n4 + k) · c4] | output block [o2, n4].
  const wBase = 0;
  const xBase = wBase + o2 * kc4;
  const cBase = xBase + (perChunk * span + n4 + k) * c4;
  // The row (channel) bias is added in the heap (epilogue-kernel.ts), staged after the output block.
  const biasBase = cBase + o2 * n4;
  const rowBias = epilogue?.rowBias && epilogue.rowBias.data instanceof Float32Array ? epilogue.rowBias : undefined;
  const rest = rowBias ? { ...epilogue, rowBias: undefined } : epilogue;
  let heap = rt.reserve(biasBase + outChannels);
  heap.fill(0, 0, cBase);
  if (rowBias) heap.set(rowBias.data.subarray(rowBias.off, rowBias.off + outChannels), biasBase);
  for (let o = 0; o < outChannels; o++)
    for (let c = 0; c < channels; c++) for (let t = 0; t < k; t++) heap[wBase + o * kc4 + t * c4 + c] = wd[(o * channels + c) * k + t];
  const sample = outChannels * outLen;
  for (let s0 = 0; s0 < batch; s0 += perChunk) {
    const count = Math.min(perChunk, batch - s0);
    heap = rt.heap;
    for (let i = 0; i < count; i++) {
      const rowsAt = xBase + (i * span + pad) * c4;
      transpose2d(xd, (s0 + i) * channels * length, length, channels, length, heap, rowsAt, c4);
    }
    if (reluX) rt.reluInPlace(xBase * 4, count * span * c4);
    const addRowBias = () => {
      if (rowBias) rt.addRowScalars(cBase * 4, biasBase * 4, outChannels, n4, n4 * 4);
    };
    if (!perSample) {
      rt.gemm(wBase * 4, xBase * 4, cBase * 4, o2, n4, kc4, kc4 * 4, c4 * 4, n4 * 4);
      addRowBias();
    }
    for (let i = 0; i < count; i++) {
      const dst = (s0 + i) * sample;
      if (perSample) {
        rt.gemm(wBase * 4, (xBase + i * span * c4) * 4, cBase * 4, o2, n4, kc4, kc4 * 4, c4 * 4, n4 * 4);
        addRowBias();
      }
      // Output channel o of sample i is row o of the block, from column i·span (or 0 per sample).
      storeRows(rt.heap, cBase + (perSample ? 0 : i * span), n4, od, dst, outLen, 0, outChannels, outLen, shiftEpilogue(rest, { offset: dst }));
    }
  }
}
