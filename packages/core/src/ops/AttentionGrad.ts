import type { NodeRef } from '../ir/builder.js';
import { attentionProbabilities, evaluateAttentionProbabilities } from './attention-probs.js';
import { attrError, defineOp } from './op.js';
import { ATTENTION_ATTRS, type AttentionAttrs, attentionDims, checkAttentionAttrs, expectShape } from './attention-shape.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { causalMask, CausalMask } from './CausalMask.js';
import { evalOp, scalarRef, sumToShape } from './compose.js';
import { matMul, MatMul } from './MatMul.js';
import { mul, Mul } from './Mul.js';
import { reduceSum, ReduceSum } from './ReduceSum.js';
import { sub, Sub } from './Sub.js';
import { unbroadcast } from './unbroadcast.js';

/** Which input of the attention the gradient is taken with respect to. */
export type AttentionOperand = 'q' | 'k' | 'v';

const ATTENTION_GRAD_ATTRS = {
  ...ATTENTION_ATTRS,
  wrt: { type: 'enum', values: ['q', 'k', 'v'], doc: 'the operand whose cotangent this node is' },
} as const satisfies AttrSchema;

/** AttentionGrad's attributes: Attention's plus the operand. */
export type AttentionGradAttrs = AttrsOf<typeof ATTENTION_GRAD_ATTRS>;

const OPERANDS: readonly AttentionOperand[] = ['q', 'k', 'v'];

/**
 * One input cotangent of `Attention`, from its inputs q, k, v, its output
 * `out` and the output cotangent `g`. With P = softmax(mask(scale·q·kᵀ)):
 * dv = Pᵀ·g; dS = scale · P ⊙ (g·vᵀ − rowsum(g ⊙ out)); dq = dS·k;
 * dk = dSᵀ·q; each summed over the batch axes its operand was broadcast on.
 * rowsum(g ⊙ out) equals the softmax VJP's rowsum(dP ⊙ P) (out = P·v), so a
 * kernel needs only one row of P at a time. Composite: decomposes into
 * primitives that recompute P.
 */
export const AttentionGrad = defineOp({
  name: 'AttentionGrad',
  arity: 5,
  attrs: ATTENTION_GRAD_ATTRS,
  shapeRule: 'q, k, v as Attention; out and g [...batch, Tq, Dv] → shape of the wrt operand',
  summary:
    "∂/∂q, ∂/∂k or ∂/∂v (attr wrt) of Attention(q, k, v) given its output and output cotangent g: dv = Pᵀg, dS = scale·P⊙(g·vᵀ − rowsum(g⊙out)), dq = dS·k, dk = dSᵀq, unbroadcast to the operand's shape. Composite: decomposes into primitives that recompute P.",
  checkAttrs: (attrs) => {
    checkAttentionAttrs('AttentionGrad', attrs);
    if (!OPERANDS.includes(attrs.wrt)) attrError('AttentionGrad', `wrt must be 'q', 'k' or 'v', got ${JSON.stringify(attrs.wrt)}`);
  },
  inferShape: (inputs, { wrt }) => {
    const [q, k, v, out, g] = inputs;
    const { batch, tq, dv } = attentionDims('AttentionGrad', [q, k, v]);
    expectShape('AttentionGrad', 'out (d)', out, [...batch, tq, dv], inputs);
    expectShape('AttentionGrad', 'the cotangent g (e)', g, [...batch, tq, dv], inputs);
    return [...inputs[OPERANDS.indexOf(wrt)].shape];
  },
  evaluate: ([q, k, v, out, g], { scale, causal, wrt }) => {
    const p = evaluateAttentionProbabilities(q, k, { scale, causal });
    if (wrt === 'v') return sumToShape(evalOp(MatMul, [p, g], { transposeA: true, transposeB: false }), v.shape).data;
    const dp = evalOp(MatMul, [g, v], { transposeA: false, transposeB: true });
    const rowDot = evalOp(ReduceSum, [evalOp(Mul, [g, out])], { axes: [-1], keepDims: true });
    const ds = evalOp(Mul, [evalOp(Mul, [p, evalOp(Sub, [dp, rowDot])]), scalarRef(scale)]);
    const masked = causal ? evalOp(CausalMask, [ds], { fill: 'zero' }) : ds;
    if (wrt === 'q') return sumToShape(evalOp(MatMul, [masked, k], { transposeA: false, transposeB: false }), q.shape).data;
    return sumToShape(evalOp(MatMul, [masked, q], { transposeA: true, transposeB: false }), k.shape).data;
  },
  // No VJP: second derivatives through attention are not supported.
  decompose: ([q, k, v, out, g], { scale, causal, wrt }) => {
    const p = attentionProbabilities(q, k, { scale, causal });
    if (wrt === 'v') return unbroadcast(matMul(p, g, true, false), v.shape);
    const dp = matMul(g, v, false, true);
    const ds = mul(mul(p, sub(dp, reduceSum(mul(g, out), [-1], true))), scale);
    const masked = causal ? causalMask(ds, 'zero') : ds;
    return wrt === 'q' ? unbroadcast(matMul(masked, k), q.shape) : unbroadcast(matMul(masked, q, true, false), k.shape);
  },
});

/**
 * The cotangent of `Attention(q, k, v)` with respect to `wrt`, given its
 * output `out` and the output cotangent `g` (what Attention's VJP emits).
 *
 * @example
 * ```ts
 * import { GraphBuilder, attention, attentionGrad } from '@sas/core';
 * const b = new GraphBuilder();
 * const [q, k, v, g] = ['q', 'k', 'v', 'g'].map((n) => b.input(n, [1, 5, 4]));
 * const out = attention(q, k, v, { scale: 0.5, causal: true });
 * const dq = attentionGrad(q, k, v, out, g, { scale: 0.5, causal: true }, 'q'); // [1, 5, 4]
 * ```
 */
export function attentionGrad(q: NodeRef, k: NodeRef, v: NodeRef, out: NodeRef, g: NodeRef, attrs: AttentionAttrs, wrt: AttentionOperand): NodeRef {
  return q.builder.apply('AttentionGrad', [q, k, v, out, g], { scale: attrs.scale, causal: attrs.causal, wrt });
}
