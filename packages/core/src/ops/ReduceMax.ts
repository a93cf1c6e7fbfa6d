import type { NodeRef } from '../ir/builder.js';
import { broadcastTo } from './BroadcastTo.js';
import { div } from './Div.js';
import { equal } from './Equal.js';
import { mul } from './Mul.js';
import { defineOp } from './op.js';
import { evaluateReduce, keptShape, REDUCE_ATTRS, reducedShape } from './reduce.js';
import { reduceSum } from './ReduceSum.js';
import { reshape } from './Reshape.js';

/** Maximum over `axes`; ties share the gradient evenly (as torch.amax). */
export const ReduceMax = defineOp({
  name: 'ReduceMax',
  arity: 1,
  attrs: REDUCE_ATTRS,
  shapeRule: 'x → shape x without the reduced axes (size 1 with keepDims)',
  summary: 'Maximum over the listed axes (NaN propagates); the gradient is shared evenly among tied maxima, as torch.amax does.',
  inferShape: ([x], attrs) => reducedShape(x, attrs),
  evaluate: ([x], { axes }) => evaluateReduce(x, axes, -Infinity, (acc, v) => (v > acc || Number.isNaN(v) ? v : acc)),
  vjp: (g, [x], y, { axes }) => {
    const kept = keptShape(x.shape, axes);
    const isMax = equal(x, reshape(y, kept));
    const share = div(isMax, reduceSum(isMax, axes, true));
    return [mul(share, broadcastTo(reshape(g, kept), x.shape))];
  },
});

/**
 * Maximum of `x` over `axes`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, reduceMax } from '@sas/core';
 * const rowMax = reduceMax(new GraphBuilder().input('x', [2, 3]), [-1], true); // [2, 1]
 * ```
 */
export function reduceMax(x: NodeRef, axes: readonly number[], keepDims = false): NodeRef {
  return x.builder.apply('ReduceMax', [x], { axes: [...axes], keepDims });
}
