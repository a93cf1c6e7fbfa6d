import type { KernelContext } from '../context.js';
import type { NdKernel } from '../deferred.js';
import { alloc, type NdHandle } from '../handle.js';
import { shiftEpilogue, type Epilogue } from '../lib/epilogue.js';
import { reluInto } from '../lib/relu.js';
import { transpose2d } from '../lib/transpose2d.js';
import { threadedConv1d } from '../threads/conv.js';
import { wasmConv1d } from '../wasm/conv.js';

/**
 * Conv1d (cross-correlation, stride 1, zero padding) as one matrix product
 * per sample, with no im2col buffer. Sample s is transposed once into
 * `xt` [L + 2·pad, C] (zero rows as the padding); with the kernel reordered
 * to `wr[o, t·C + c] = w[o, c, t]`, output position j needs exactly the k·C
 * consecutive values of `xt` starting at row j. So the product
 * `y[s] = wr · windowᵀ` reads its right operand straight out of `xt` with
 * overlapping rows (row stride C, row length k·C). For SAS's conv over the
 * head axis `xt` is a few KB, reused for every sample.
 *
 * `epilogue` adds per-channel bias (rowBias) and same-shaped addends;
 * `reluX` reads x through relu (both folded in by the fusion planner).
 * Float32 on the SIMD runtime goes to `wasmConv1d`, which batches samples.
 *
 * @example
 * ```ts
 * import { conv1dInto } from './Conv1d.js';
 * import { wrap } from '../handle.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const out = wrap(new Float32Array(3), [1, 1, 3]);
 * conv1dInto(wrap(Float32Array.of(1, 2, 3), [1, 1, 3]), wrap(Float32Array.of(1, 1, 1), [1, 1, 3]), 1, out, { gemm: jsGemm }); // out.data = [3, 6, 5]
 * ```
 */
export function conv1dInto(x: NdHandle, w: NdHandle, pad: number, out: NdHandle, ctx: KernelContext, epilogue?: Epilogue, reluX = false): void {
  // (No channels means a product with K = 0, which the SIMD kernel does not take.)
  if (ctx.wasm && x.data instanceof Float32Array && x.shape[1] > 0) {
    if (ctx.pool) threadedConv1d(ctx.pool, ctx.wasm, x, w, pad, out, epilogue, reluX);
    else wasmConv1d(ctx.wasm, x, w, pad, out, epilogue, reluX);
    return;
  }
  const gemm = ctx.gemm;
  const [batch, channels, length] = x.shape;
  const [outChannels, , k] = w.shape;
  const outLen = out.shape[2];
  if (out.data.length === 0) return;
  const Float = x.data.constructor as Float32ArrayConstructor;
  const kc = k * channels;
  const wr = new Float(outChannels * kc);
  for (let o = 0; o < outChannels; o++)
    for (let c = 0; c < channels; c++) for (let t = 0; t < k; t++) wr[o * kc + t * channels + c] = w.data[(o * channels + c) * k + t];
  const xt = new Float((length + 2 * pad) * channels);
  const interior = pad * channels;
  const sample = outChannels * outLen;
  for (let s = 0; s < batch; s++) {
    transpose2d(x.data, s * channels * length, length, channels, length, xt, interior, channels);
    if (reluX) reluInto(xt, interior, xt, interior, length * channels);
    gemm.abt(wr, 0, kc, xt, 0, channels, out.data, s * sample, outLen, outChannels, outLen, kc, shiftEpilogue(epilogue, { offset: s * sample }));
  }
}

/**
 * The Conv1d kernel: x [N, C, L] ⋆ w [O, C, k] → [N, O, L + 2·pad − k + 1].
 *
 * @example
 * ```ts
 * import { Conv1d } from './Conv1d.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 2, 3), [1, 1, 3]);
 * const w = wrap(Float32Array.of(1, 1, 1), [1, 1, 3]);
 * Conv1d([x, w], nodeOf('Conv1d', [1, 1, 3], { pad: 1 }), { gemm: jsGemm }).data; // [3, 6, 5]
 * ```
 */
export const Conv1d: NdKernel<'Conv1d'> = ([x, w], node, ctx) => {
  const out = alloc(node.dtype, node.shape);
  conv1dInto(x, w, node.attrs.pad, out, ctx);
  return out;
};
