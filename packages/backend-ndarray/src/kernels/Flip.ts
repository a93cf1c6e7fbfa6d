import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';

/**
 * Reverses one axis: the tensor is [outer, n, inner]; each inner block of the
 * flipped axis moves with one bulk copy (or one element when inner is 1).
 *
 * @example
 * ```ts
 * import { Flip } from './Flip.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Flip([wrap(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3])], nodeOf('Flip', [2, 3], { axis: 1 }), { gemm: jsGemm }).data; // [3, 2, 1, 6, 5, 4]
 * ```
 */
export const Flip: NdKernel<'Flip'> = ([x], node) => {
  const shape = node.shape;
  const rank = shape.length;
  const out = alloc(node.dtype, shape);
  const axis = node.attrs.axis;
  const n = shape[axis];
  let inner = 1;
  for (let i = axis + 1; i < rank; i++) inner *= shape[i];
  const total = out.data.length;
  const block = n * inner;
  if (block === 0) return out;
  const src = x.data;
  const dst = out.data;
  for (let base = 0; base < total; base += block) {
    if (inner === 1) {
      for (let j = 0; j < n; j++) dst[base + n - 1 - j] = src[base + j];
    } else {
      for (let j = 0; j < n; j++) dst.set(src.subarray(base + j * inner, base + (j + 1) * inner), base + (n - 1 - j) * inner);
    }
  }
  return out;
};
