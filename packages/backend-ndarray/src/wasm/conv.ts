import type { NdHandle } from '../handle.js';
import type { Epilogue, EpilogueOperand } from '../lib/epilogue.js';
import { roundUp, type WasmRuntime } from './runtime.js';

/** Floats of staged samples per gemm call (about 1 MB with the output block). */
const CHUNK_FLOATS = 1 << 17;

/**
 * Conv1d on the SIMD runtime, many samples per product. A chunk of samples
 * is copied into the heap as one block and staged there (`conv_stage`,
 * conv-layout-kernel.ts) transposed as (L + 2·pad) rows of C4 floats per
 * sample (channels padded to a multiple of 4, zero rows as the padding),
 * samples back to back; with the kernel reordered to `wr[o, t·C4 + c]`, output
 * position j of the chunk reads the k·C4 consecutive floats starting at row
 * j. So a single gemm with the right operand's rows overlapping (row stride
 * C4) computes every position of the chunk; the (k − 1) positions that
 * straddle two samples are computed and dropped. The kept positions are
 * gathered into [count, O, Lout] in the heap (`conv_gather`), the epilogue
 * is added there, and the chunk's output leaves as one block. Bias, addends
 * and relu as in `conv1dInto`.
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
  const sample = outChannels * outLen;
  const perChunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_FLOATS / (span * c4 + o2 * span + channels * length + 2 * sample))));
  // One product per chunk computes `span` positions per sample of which `outLen`
  // are kept; when the kernel is long (outLen ≪ span, as in the weight gradient
  // of a conv) one product per sample over its `outLen` positions wastes less.
  const perSample = roundUp(outLen, 4) < 0.75 * span;
  const positions = perSample ? outLen : perChunk * span;
  const n4 = roundUp(positions, 4);
  // Heap: wr [o2, kc4] | staged rows [(n4 + k) · c4] | product block [o2, n4] | row bias [O] |
  // the chunk's x as given [count, C, L] | its output [count, O, Lout] | one addend's part of it (each + 4 floats of slack).
  const wBase = 0;
  const xBase = wBase + o2 * kc4;
  const cBase = xBase + (perChunk * span + n4 + k) * c4;
  const biasBase = cBase + o2 * n4;
  const rawBase = biasBase + roundUp(outChannels, 4);
  const outBase = rawBase + roundUp(perChunk * channels * length, 4);
  const addBase = outBase + roundUp(perChunk * sample, 4) + 4;
  let heap = rt.reserve(addBase + roundUp(perChunk * sample, 4) + 4);
  heap.fill(0, 0, cBase);
  for (let o = 0; o < outChannels; o++)
    for (let c = 0; c < channels; c++) for (let t = 0; t < k; t++) heap[wBase + o * kc4 + t * c4 + c] = wd[(o * channels + c) * k + t];
  const rowBias = epilogue?.rowBias;
  if (rowBias) heap.set(rowBias.data.subarray(rowBias.off, rowBias.off + outChannels), biasBase);
  // The epilogue in storeRows' order and rounding: row bias (in the product block), column bias, addends.
  const addRowBias = () => {
    if (rowBias) rt.addRowScalars(cBase * 4, biasBase * 4, outChannels, n4, n4 * 4);
  };
  for (let s0 = 0; s0 < batch; s0 += perChunk) {
    const count = Math.min(perChunk, batch - s0);
    heap = rt.heap;
    heap.set(xd.subarray(s0 * channels * length, (s0 + count) * channels * length), rawBase);
    if (length > 0) rt.convStage(rawBase * 4, (xBase + pad * c4) * 4, count, channels, length, span * c4, c4);
    if (reluX) rt.reluInPlace(xBase * 4, count * span * c4);
    if (perSample) {
      for (let i = 0; i < count; i++) {
        rt.gemm(wBase * 4, (xBase + i * span * c4) * 4, cBase * 4, o2, n4, kc4, kc4 * 4, c4 * 4, n4 * 4);
        addRowBias();
        rt.convGather(cBase * 4, (outBase + i * sample) * 4, 1, outChannels, outLen, n4, 0);
      }
    } else {
      rt.gemm(wBase * 4, xBase * 4, cBase * 4, o2, n4, kc4, kc4 * 4, c4 * 4, n4 * 4);
      addRowBias();
      // Output channel o of sample i is row o of the block, from column i·span.
      rt.convGather(cBase * 4, outBase * 4, count, outChannels, outLen, n4, span);
    }
    heap = rt.heap;
    const n = count * sample;
    const dst = s0 * sample;
    if (epilogue?.colBias) addColumnBias(heap, outBase, count * outChannels, outLen, epilogue.colBias);
    for (const a of epilogue?.addends ?? []) {
      if (a.data instanceof Float32Array) {
        heap.set(a.data.subarray(a.off + dst, a.off + dst + n), addBase);
        rt.addRows(outBase * 4, addBase * 4, 1, roundUp(n, 4), 0, 0);
      } else for (let j = 0; j < n; j++) heap[outBase + j] += a.data[a.off + dst + j];
    }
    od.set(heap.subarray(outBase, outBase + n), dst);
  }
}

/** Adds a bias along the length axis to `rows` rows of `len` floats from `base` (float32 sums, as `storeRows`). */
function addColumnBias(heap: Float32Array, base: number, rows: number, len: number, bias: EpilogueOperand): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < len; j++) heap[base + r * len + j] += bias.data[bias.off + j];
}
