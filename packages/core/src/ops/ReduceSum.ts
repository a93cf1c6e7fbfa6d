import type { NodeRef } from '../ir/builder.js';
import { broadcastTo } from './BroadcastTo.js';
import { defineOp } from './op.js';
import { evaluateReduce, keptShape, REDUCE_ATTRS, reducedShape } from './reduce.js';
import { reshape } from './Reshape.js';

/** Sum over `axes`; the reduced axes are dropped unless `keepDims`. */
export const ReduceSum = defineOp({
  name: 'ReduceSum',
  arity: 1,
  attrs: REDUCE_ATTRS,
  shapeRule: 'x → shape x without the reduced axes (size 1 with keepDims)',
  summary: 'Sum over the listed axes (negative axes count from the end); reduced axes are dropped unless keepDims. Summing over no axes is the identity.',
  inferShape: ([x], attrs) => reducedShape(x, attrs),
  evaluate: ([x], { axes }) => evaluateReduce(x, axes, 0, (acc, v) => acc + v),
  vjp: (g, [x], _y, { axes }) => [broadcastTo(reshape(g, keptShape(x.shape, axes)), x.shape)],
});

/**
 * Sums `x` over `axes`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, reduceSum } from '@sas/core';
 * const total = reduceSum(new GraphBuilder().input('x', [2, 3]), [0, 1]); // scalar
 * ```
 */
export function reduceSum(x: NodeRef, axes: readonly number[], keepDims = false): NodeRef {
  return x.builder.apply('ReduceSum', [x], { axes: [...axes], keepDims });
}
