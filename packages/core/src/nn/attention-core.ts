import type { NodeRef } from '../ir/builder.js';
import { causalMask } from '../ops/CausalMask.js';
import { matMul } from '../ops/MatMul.js';
import { mul } from '../ops/Mul.js';
import { softmax } from '../ops/Softmax.js';

/**
 * softmax(q·kᵀ·scale + M)·v over the last two axes, where M masks j > i when
 * causal. Batch axes broadcast, so one kv head can serve a group of query heads.
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
  const scores = mul(matMul(q, k, false, true), scale);
  const probs = softmax(causal ? causalMask(scores, 'neg-inf') : scores);
  return matMul(probs, v);
}
