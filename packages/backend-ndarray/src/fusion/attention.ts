import { forEachBroadcast, type GraphNode } from '@sas/core';
import { Deferred, materialize, type Value } from '../deferred.js';
import { alloc, type FloatData, type NdHandle } from '../handle.js';
import type { GemmEngine } from '../lib/gemm.js';
import { transpose2d } from '../lib/transpose2d.js';
import type { KernelContext } from '../context.js';
import { wasmAttention } from '../wasm/attention.js';
import type { AttentionFusion } from './plan.js';

/** Query rows per block: the score strip is BLOCK_Q × Tk, never Tq × Tk. */
export const BLOCK_Q = 64;

/**
 * Softmax of `scale·s[i .. i+valid)` in place, zeroing `s[i+valid .. i+width)`
 * (the causally masked tail of the strip). Semantics of Mul → CausalMask →
 * Softmax: NaN propagates, and a row with nothing valid is all NaN.
 */
function softmaxScaledRow(s: FloatData, i: number, valid: number, width: number, scale: number): void {
  if (valid === 0) {
    s.fill(NaN, i, i + width);
    return;
  }
  let max = -Infinity;
  for (let j = 0; j < valid; j++) {
    const v = s[i + j] * scale;
    if (v > max || v !== v) max = v;
  }
  let sum = 0;
  for (let j = 0; j < valid; j++) {
    const e = Math.exp(s[i + j] * scale - max);
    s[i + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < valid; j++) s[i + j] *= inv;
  if (valid < width) s.fill(0, i + valid, i + width);
}

/**
 * `softmax(mask(scale · q·kᵀ)) · v` for q [..., Tq, Dk], k [..., Tk, Dk],
 * v [..., Tk, Dv] with broadcast batch axes (grouped kv heads), mask
 * bottom-right aligned as CausalMask. For each head and each block of
 * BLOCK_Q query rows it computes only the key columns some row of the block
 * may see (fully masked key blocks are skipped: about half the work when
 * causal), the exact two-pass softmax of each row, and the block's output,
 * through the backend's gemm engine. Memory: one BLOCK_Q × Tk strip and one
 * Dv × Tk copy of vᵀ, instead of the whole score tensor.
 *
 * @example
 * ```ts
 * import { attention } from './attention.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 0, 0, 1), [2, 2]);
 * attention(x, x, x, 1, true, nodeOf('MatMul', [2, 2]), jsGemm).data; // row 0 = [1, 0] (sees only key 0)
 * ```
 */
export function attention(q: NdHandle, k: NdHandle, v: NdHandle, scale: number, causal: boolean, node: GraphNode, gemm: GemmEngine): NdHandle {
  const out = alloc(node.dtype, node.shape);
  const tq = q.shape[q.shape.length - 2];
  const dk = q.shape[q.shape.length - 1];
  const tk = k.shape[k.shape.length - 2];
  const dv = v.shape[v.shape.length - 1];
  // No keys: the probabilities are empty and their product with v is all zeros.
  if (out.data.length === 0 || tk === 0) return out;
  const Float = out.data.constructor as Float32ArrayConstructor;
  const strip = new Float(Math.min(BLOCK_Q, tq) * tk);
  const vt = new Float(dv * tk);
  // The Mul ran in the graph's dtype: round the scale as its constant was.
  const s = node.dtype === 'float32' ? Math.fround(scale) : scale;
  let packed = -1;
  forEachBroadcast(node.shape.slice(0, -2), [q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2)], (bi, [qi, ki, vi]) => {
    if (vi !== packed) {
      transpose2d(v.data, vi * tk * dv, dv, tk, dv, vt, 0, tk);
      packed = vi;
    }
    const qOff = qi * tq * dk;
    const kOff = ki * tk * dk;
    const oOff = bi * tq * dv;
    for (let i0 = 0; i0 < tq; i0 += BLOCK_Q) {
      const rows = Math.min(BLOCK_Q, tq - i0);
      // Keys visible to the block's last row; later key columns are masked for every row.
      const width = causal ? Math.max(0, Math.min(tk, i0 + rows + tk - tq)) : tk;
      if (width === 0) {
        out.data.fill(NaN, oOff + i0 * dv, oOff + (i0 + rows) * dv);
        continue;
      }
      gemm.abt(q.data, qOff + i0 * dk, dk, k.data, kOff, dk, strip, 0, width, rows, width, dk);
      for (let r = 0; r < rows; r++) {
        const valid = causal ? Math.max(0, Math.min(width, i0 + r + tk - tq + 1)) : width;
        softmaxScaledRow(strip, r * width, valid, width, s);
      }
      gemm.abt(strip, 0, width, vt, 0, tk, out.data, oOff + i0 * dv, dv, rows, dv, width);
    }
  });
  return out;
}

/**
 * The fused kernel as the executor calls it on the chain's final MatMul:
 * inputs are the deferred probabilities and v; q and k come from the
 * deferred scores node at the bottom of the chain. Float32 runs on the wasm
 * SIMD runtime when the backend has one (`wasmAttention`), else on `attention`.
 *
 * @example
 * ```ts
 * // Used by the backend for nodes `planFusion` marks as attention; see backend.ts.
 * ```
 */
export function attentionFromChain(inputs: readonly Value[], node: GraphNode, role: AttentionFusion, ctx: KernelContext): NdHandle | undefined {
  let d: Value | undefined = inputs[0];
  while (d instanceof Deferred && d.node.op !== 'MatMul') d = d.inputs.find((x) => x instanceof Deferred);
  if (!(d instanceof Deferred) || d.node.inputs[0] !== role.q || d.node.inputs[1] !== role.k) return undefined;
  const [q, k, v] = [materialize(d.inputs[0]), materialize(d.inputs[1]), materialize(inputs[1])];
  if (ctx.wasm && q.data instanceof Float32Array) return wasmAttention(ctx.wasm, q, k, v, role.scale, role.causal, node);
  return attention(q, k, v, role.scale, role.causal, node, ctx.gemm);
}
