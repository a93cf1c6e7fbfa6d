import { forEachBroadcast } from '@sas/core';
import type { RowView } from '../lib/rows.js';
import { keysSeen } from '../lib/causal.js';
import { transpose2d } from '../lib/transpose2d.js';
import { copyRows, roundUp, type WasmRuntime } from './runtime.js';

/** Query rows per block (even, for the gemm's 2-row tile). */
const BLOCK_Q = 64;

/**
 * The fused attention of `fusion/attention.ts` with everything resident in
 * the SIMD runtime's heap: per head, q and k are staged once (rows padded to
 * 4 floats, read through their row views) and v once as vᵀ; then for each
 * block of query rows, the score strip (only the key columns the block can
 * see), the softmax in place (`softmax_rows`, vectorised exp) and the
 * block's output are all computed in wasm, and only the output rows come
 * back (written through `out`'s row view). Float32 only. With `range`, only
 * batch entries (heads) `range[0] ≤ b < range[1]` are computed (one thread's share).
 *
 * @example
 * ```ts
 * import { wasmAttention } from './attention.js';
 * import { WasmRuntime } from './runtime.js';
 * import { rowView } from '../lib/rows.js';
 * import { wrap } from '../handle.js';
 * const x = rowView(wrap(Float32Array.of(1, 0, 0, 1), [2, 2]));
 * const out = rowView(wrap(new Float32Array(4), [2, 2]));
 * wasmAttention(new WasmRuntime(), x, x, x, out, [], 1, true); // out row 0 = [1, 0]
 * ```
 */
export function wasmAttention(
  rt: WasmRuntime,
  q: RowView,
  k: RowView,
  v: RowView,
  out: RowView,
  batchShape: readonly number[],
  scale: number,
  causal: boolean,
  range?: readonly [number, number],
): void {
  const o = out.data as Float32Array;
  const qd = q.data as Float32Array;
  const kd = k.data as Float32Array;
  const vd = v.data as Float32Array;
  const { rows: tq, cols: dk } = q;
  const tk = k.rows;
  const dv = v.cols;
  if (tq * dv === 0 || batchShape.some((d) => d === 0)) return;
  const rowAt = (bi: number, r: number) => out.batchOffsets[bi] + r * out.rowStride;
  // No keys: the probabilities are empty and their product with v is all zeros.
  if (tk === 0) {
    forEachBroadcast(batchShape, [], (bi) => {
      for (let r = 0; r < tq; r++) o.fill(0, rowAt(bi, r), rowAt(bi, r) + dv);
    });
    return;
  }
  const dk4 = roundUp(Math.max(dk, 1), 4);
  const dv4 = roundUp(dv, 4);
  const tk4 = roundUp(tk, 4);
  const tq2 = roundUp(tq, 2);
  const block = Math.min(BLOCK_Q, tq2);
  // Heap layout, in floats.
  const qBase = 0;
  const kBase = qBase + tq2 * dk4;
  const vtBase = kBase + tk4 * dk4;
  const sBase = vtBase + dv4 * tk4;
  const oBase = sBase + block * tk4;
  let heap = rt.reserve(oBase + block * dv4);
  heap.fill(0, 0, oBase);
  const s = Math.fround(scale);
  let stagedK = -1;
  let stagedV = -1;
  forEachBroadcast(batchShape, [q.batchShape, k.batchShape, v.batchShape], (bi, [qi, ki, vi]) => {
    // A thread's share of the heads (see threads/attention.ts): other entries belong to other threads.
    if (range && (bi < range[0] || bi >= range[1])) return;
    heap = rt.heap;
    copyRows(qd, q.batchOffsets[qi], q.rowStride, heap, qBase, dk4, tq, dk);
    if (ki !== stagedK) {
      copyRows(kd, k.batchOffsets[ki], k.rowStride, heap, kBase, dk4, tk, dk);
      stagedK = ki;
    }
    if (vi !== stagedV) {
      transpose2d(vd, v.batchOffsets[vi], v.rowStride, tk, dv, heap, vtBase, tk4);
      stagedV = vi;
    }
    for (let i0 = 0; i0 < tq; i0 += block) {
      const rows = Math.min(block, tq - i0);
      const rows2 = roundUp(rows, 2);
      const width = keysSeen(i0 + rows - 1, tk, tq, tk, causal);
      if (width === 0) {
        for (let r = 0; r < rows; r++) o.fill(NaN, rowAt(bi, i0 + r), rowAt(bi, i0 + r) + dv);
        continue;
      }
      const w4 = roundUp(width, 4);
      rt.gemm((qBase + i0 * dk4) * 4, kBase * 4, sBase * 4, rows2, w4, dk4, dk4 * 4, dk4 * 4, w4 * 4);
      // Row r sees keys j < v0 + r (causal) or all `width`; rows seeing none are NaN, as in the reference.
      const v0 = causal ? i0 + tk - tq + 1 : width;
      const first = Math.min(rows2, Math.max(0, 1 - v0));
      if (first < rows2) rt.softmaxRows((sBase + first * w4) * 4, rows2 - first, w4 * 4, v0 + first, causal ? 1 : 0, width, s);
      rt.gemm(sBase * 4, vtBase * 4, oBase * 4, rows2, dv4, w4, w4 * 4, tk4 * 4, dv4 * 4);
      heap = rt.heap;
      for (let r = 0; r < rows; r++) {
        const dst = rowAt(bi, i0 + r);
        if (r < first) o.fill(NaN, dst, dst + dv);
        else o.set(heap.subarray(oBase + r * dv4, oBase + r * dv4 + dv), dst);
      }
    }
  });
}
