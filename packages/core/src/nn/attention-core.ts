import type { NodeRef } from '../ir/builder.js';
import { attention } from '../ops/Attention.js';

/**
 * softmax(q·kᵀ·scale + M)·v over the last two axes, where M masks j > i when
 * causal. Batch axes broadcast, so one kv head can serve a group of query heads.
 * One `Attention` node: backends without a kernel for it run its decomposition
 * (today's primitive chain); the ndarray backend runs it fused.
 *
 * @example
 * ```ts
 * import { GraphBuilder, scaledDotProductAttention } from '@sas/core';
 * const b = new GraphBuilder();
 * const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [1, 2, 5, 4]));
 * const a = scaledDotProductAttention(q, k, v, 0.5, true); // [1, 2, 5, 4]
 * ```
 */
export function scaledDotProductAttention(q: NodeRef, k: NodeRef, v: NodeRef, scale: number, causal: boolean): NodeRef {
  return attention(q, k, v, { scale, causal });
}
