import type { NodeRef } from '../ir/builder.js';
import { add } from '../ops/Add.js';
import { attention } from '../ops/Attention.js';
import { matMul } from '../ops/MatMul.js';
import { mul } from '../ops/Mul.js';
import { softmax } from '../ops/Softmax.js';

/**
 * softmax(q·kᵀ·scale + M)·v over the last two axes, where M masks j > i when
 * causal. Batch axes broadcast, so one kv head can serve a group of query heads.
 * One `Attention` node: backends without a kernel for it run its decomposition
 * (today's primitive chain); the ndarray backend runs it fused.
 *
 * With `bias` (an additive score bias broadcasting to the scores
 * [.., Tq, Tk], e.g. [Tk]: 0 where a key is seen, a large negative number
 * where it is not) the bias takes the place of the causal mask and the
 * attention is the primitive chain MatMul, Mul, Add, Softmax, MatMul: the
 * fused op has no bias input. Decoding with a key/value cache uses it to hide
 * the cache's unused slots.
 *
 * @example
 * ```ts
 * import { GraphBuilder, scaledDotProductAttention } from '@sas/core';
 * const b = new GraphBuilder();
 * const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [1, 2, 5, 4]));
 * const a = scaledDotProductAttention(q, k, v, 0.5, true); // [1, 2, 5, 4]
 * const seen = b.constant([0, 0, 0, -1e30, -1e30]); // keys 3 and 4 hidden
 * const masked = scaledDotProductAttention(q, k, v, 0.5, false, seen); // [1, 2, 5, 4]
 * ```
 */
export function scaledDotProductAttention(q: NodeRef, k: NodeRef, v: NodeRef, scale: number, causal: boolean, bias?: NodeRef): NodeRef {
  if (bias === undefined) return attention(q, k, v, { scale, causal });
  return matMul(softmax(add(mul(matMul(q, k, false, true), scale), bias)), v);
}
