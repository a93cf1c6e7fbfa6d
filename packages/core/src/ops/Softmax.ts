import type { NodeRef } from '../ir/builder.js';
import { div } from './Div.js';
import { exp } from './Exp.js';
import { mul } from './Mul.js';
import { defineOp, shapeError } from './op.js';
import { reduceMax } from './ReduceMax.js';
import { reduceSum } from './ReduceSum.js';
import { sub } from './Sub.js';

/**
 * Softmax over the last axis, max-subtracted for stability. A row that is all
 * −Inf (fully masked) yields NaN, as in PyTorch; SAS's causal rows always keep
 * the diagonal, so it never happens there.
 */
export const Softmax = defineOp({
  name: 'Softmax',
  arity: 1,
  shapeRule: 'x → shape of x; rank ≥ 1',
  summary: 'exp(x − max) / Σ exp(x − max) over the last axis. Fused for speed; decomposes into ReduceMax, Sub, Exp, ReduceSum, Div.',
  inferShape: ([x]) => {
    if (x.shape.length < 1) shapeError('Softmax', 'needs rank ≥ 1', [x]);
    return [...x.shape];
  },
  evaluate: ([x]) => {
    const n = x.shape[x.shape.length - 1];
    const out = new Float64Array(x.data.length);
    for (let row = 0; row < x.data.length; row += n) {
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, x.data[row + j]);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += out[row + j] = Math.exp(x.data[row + j] - max);
      for (let j = 0; j < n; j++) out[row + j] /= sum;
    }
    return out;
  },
  // dx = y ⊙ (g − Σ_j g·y)
  vjp: (g, _x, y) => [mul(y, sub(g, reduceSum(mul(g, y), [-1], true)))],
  decompose: ([x]) => {
    const shifted = exp(sub(x, reduceMax(x, [-1], true)));
    return div(shifted, reduceSum(shifted, [-1], true));
  },
});

/**
 * Softmax of `x` over its last axis.
 *
 * @example
 * ```ts
 * import { GraphBuilder, softmax } from '@sas/core';
 * const p = softmax(new GraphBuilder().input('scores', [2, 4, 4]));
 * ```
 */
export function softmax(x: NodeRef): NodeRef {
  return x.builder.apply('Softmax', [x]);
}
