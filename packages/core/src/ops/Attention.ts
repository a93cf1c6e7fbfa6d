import type { NodeRef } from '../ir/builder.js';
import { ATTENTION_ATTRS, type AttentionAttrs, attentionDims, checkAttentionAttrs } from './attention-shape.js';
import { attentionGrad } from './AttentionGrad.js';
import { attentionProbabilities, evaluateAttentionProbabilities } from './attention-probs.js';
import { evalOp } from './compose.js';
import { defineOp } from './op.js';
import { matMul, MatMul } from './MatMul.js';

/**
 * Scaled dot-product attention as one node: `softmax(mask(scale·q·kᵀ))·v`
 * over the last two axes, batch axes broadcast. A composite op: every
 * backend can run it through its decomposition (the primitive chain), and a
 * backend with a kernel of its own never stores the [.., Tq, Tk] scores.
 * Its VJP is three `AttentionGrad` nodes, which such a kernel computes by
 * recomputing the probabilities block by block.
 */
export const Attention = defineOp({
  name: 'Attention',
  arity: 3,
  attrs: ATTENTION_ATTRS,
  shapeRule: 'q [..., Tq, Dk], k [..., Tk, Dk], v [..., Tk, Dv] → [...broadcast batch, Tq, Dv]',
  summary:
    'softmax(causalMask?(scale · q·kᵀ)) · v for q [..,Tq,Dk], k [..,Tk,Dk], v [..,Tk,Dv] → [..,Tq,Dv]; batch axes broadcast. Composite: decomposes into MatMul, Mul, CausalMask, Softmax, MatMul.',
  checkAttrs: (attrs) => checkAttentionAttrs('Attention', attrs),
  inferShape: (inputs) => {
    const { batch, tq, dv } = attentionDims('Attention', inputs);
    return [...batch, tq, dv];
  },
  // The definition, written with the primitives' own float64 oracles.
  evaluate: ([q, k, v], attrs) => evalOp(MatMul, [evaluateAttentionProbabilities(q, k, attrs), v], { transposeA: false, transposeB: false }).data,
  vjp: (g, [q, k, v], y, attrs) => (['q', 'k', 'v'] as const).map((wrt) => attentionGrad(q, k, v, y, g, attrs, wrt)),
  decompose: ([q, k, v], attrs) => matMul(attentionProbabilities(q, k, attrs), v),
});

/**
 * Scaled dot-product attention of `q`, `k`, `v` as one `Attention` node.
 *
 * @example
 * ```ts
 * import { GraphBuilder, attention } from '@sas/core';
 * const b = new GraphBuilder();
 * const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [1, 2, 5, 4]));
 * const y = attention(q, k, v, { scale: 0.5, causal: true }); // [1, 2, 5, 4]
 * ```
 */
export function attention(q: NodeRef, k: NodeRef, v: NodeRef, attrs: AttentionAttrs): NodeRef {
  return q.builder.apply('Attention', [q, k, v], { scale: attrs.scale, causal: attrs.causal });
}
