import type { NodeRef } from '../ir/builder.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, defineOp, shapeError } from './op.js';

const CAUSAL_MASK_ATTRS = {
  fill: { type: 'enum', values: ['neg-inf', 'zero'], doc: 'what masked entries become: −Inf (before a softmax) or 0 (its VJP)' },
} as const satisfies AttrSchema;

/** CausalMask's attributes. */
export type CausalMaskAttrs = AttrsOf<typeof CAUSAL_MASK_ATTRS>;

const FILL_VALUE = { 'neg-inf': -Infinity, zero: 0 } as const;

/**
 * Replaces the entries above the (bottom-right aligned) diagonal of the last
 * two axes: `y[..., i, j] = fill` where `j > i + (Tk − Tq)`, else `x[..., i, j]`.
 * With `fill: 'neg-inf'` before a softmax this is the causal attention mask.
 */
export const CausalMask = defineOp({
  name: 'CausalMask',
  arity: 1,
  attrs: CAUSAL_MASK_ATTRS,
  shapeRule: 'x [..., Tq, Tk] → shape of x; rank ≥ 2',
  summary: "On the last two axes [Tq,Tk], sets y[i,j] = fill where j > i + (Tk − Tq), else x[i,j]; fill is 'neg-inf' (before softmax) or 'zero' (its VJP).",
  checkAttrs: ({ fill }) => {
    if (typeof fill !== 'string' || !Object.hasOwn(FILL_VALUE, fill)) attrError('CausalMask', `fill must be 'neg-inf' or 'zero', got ${JSON.stringify(fill)}`);
  },
  inferShape: ([x]) => {
    if (x.shape.length < 2) shapeError('CausalMask', 'needs rank ≥ 2 ([..., Tq, Tk])', [x]);
    return [...x.shape];
  },
  evaluate: ([x], { fill }) => {
    const [tq, tk] = x.shape.slice(-2);
    const value = FILL_VALUE[fill];
    const out = x.data.slice();
    for (let base = 0; base < out.length; base += tq * tk)
      for (let i = 0; i < tq; i++) for (let j = i + (tk - tq) + 1; j < tk; j++) if (j >= 0) out[base + i * tk + j] = value;
    return out;
  },
  vjp: (g) => [causalMask(g, 'zero')],
});

/**
 * Applies the causal mask to the last two axes of `x`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, causalMask, softmax } from '@sas/core';
 * const p = softmax(causalMask(new GraphBuilder().input('scores', [1, 4, 4])));
 * ```
 */
export function causalMask(x: NodeRef, fill: 'neg-inf' | 'zero' = 'neg-inf'): NodeRef {
  return x.builder.apply('CausalMask', [x], { fill });
}
