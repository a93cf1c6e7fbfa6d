import type { NdKernel } from '../deferred.js';
import { alloc, type FloatData } from '../handle.js';
import { wasmSoftmax } from '../wasm/softmax.js';

/**
 * Softmax of each length-`n` row of `x` starting at `xi`, written to `y[yi..]`:
 * max, then exp(x − max) stored once and summed in double, then one scaling
 * pass. A fully −Inf row gives NaN, as in the reference.
 *
 * @example
 * ```ts
 * import { softmaxRow } from './Softmax.js';
 * const y = new Float32Array(2);
 * softmaxRow(Float32Array.of(0, 0), 0, y, 0, 2); // y = [0.5, 0.5]
 * ```
 */
export function softmaxRow(x: FloatData, xi: number, y: FloatData, yi: number, n: number): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = x[xi + j];
    if (v > max || v !== v) max = v;
  }
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(x[xi + j] - max);
    y[yi + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < n; j++) y[yi + j] *= inv;
}

/**
 * Fused softmax over the last axis: one kernel instead of the five-op
 * decomposition, two reads and two writes of each row. Float32 on the SIMD
 * runtime uses its vectorised exp (`wasmSoftmax`).
 *
 * @example
 * ```ts
 * import { Softmax } from './Softmax.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Softmax([wrap(Float32Array.of(1, 1, 0, Math.log(3)), [2, 2])], nodeOf('Softmax', [2, 2], {}), { gemm: jsGemm }).data; // [0.5, 0.5, 0.25, 0.75]
 * ```
 */
export const Softmax: NdKernel<'Softmax'> = ([x], node, ctx) => {
  const out = alloc(node.dtype, node.shape);
  if (ctx?.wasm && x.data instanceof Float32Array) {
    wasmSoftmax(ctx.wasm, x, out);
    return out;
  }
  const n = node.shape[node.shape.length - 1];
  const total = out.data.length;
  if (n > 0) for (let row = 0; row < total; row += n) softmaxRow(x.data, row, out.data, row, n);
  return out;
};
