import type { NodeRef } from '../ir/builder.js';
import type { AttentionAttrs } from './attention-shape.js';
import { causalMask, CausalMask } from './CausalMask.js';
import { evalOp, scalarRef } from './compose.js';
import type { RefTensor } from './op.js';
import { matMul, MatMul } from './MatMul.js';
import { mul, Mul } from './Mul.js';
import { softmax, Softmax } from './Softmax.js';

/**
 * The attention probabilities `softmax(causalMask?(scale · q·kᵀ))` as graph
 * nodes: the start of both composite ops' decompositions (Attention's and
 * AttentionGrad's), so the merged lowering computes them once.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from '../ir/builder.js';
 * import { attentionProbabilities } from './attention-probs.js';
 * const b = new GraphBuilder();
 * const q = b.input('q', [1, 5, 4]);
 * attentionProbabilities(q, q, { scale: 0.5, causal: true }).shape; // [1, 5, 5]
 * ```
 */
export function attentionProbabilities(q: NodeRef, k: NodeRef, { scale, causal }: AttentionAttrs): NodeRef {
  const scores = mul(matMul(q, k, false, true), scale);
  return softmax(causal ? causalMask(scores, 'neg-inf') : scores);
}

/**
 * The same probabilities as float64 values, from the primitives' own
 * oracles: the start of both composite ops' `evaluate`.
 *
 * @example
 * ```ts
 * import { evaluateAttentionProbabilities } from './attention-probs.js';
 * const x = { shape: [1, 1], data: Float64Array.of(1) };
 * evaluateAttentionProbabilities(x, x, { scale: 1, causal: true }).data; // [1]
 * ```
 */
export function evaluateAttentionProbabilities(q: RefTensor, k: RefTensor, { scale, causal }: AttentionAttrs): RefTensor {
  const scores = evalOp(Mul, [evalOp(MatMul, [q, k], { transposeA: false, transposeB: true }), scalarRef(scale)]);
  return evalOp(Softmax, [causal ? evalOp(CausalMask, [scores], { fill: 'neg-inf' }) : scores]);
}
