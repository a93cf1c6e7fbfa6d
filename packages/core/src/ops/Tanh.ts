import type { NodeRef } from '../ir/builder.js';
import { add } from './Add.js';
import { div } from './Div.js';
import { exp } from './Exp.js';
import { mul } from './Mul.js';
import { defineOp } from './op.js';
import { sub } from './Sub.js';

/**
 * Elementwise hyperbolic tangent (the tanh-form GELU needs it). A composite so
 * that a backend without a kernel still runs it: `2 / (1 + e^(−2x)) − 1`,
 * which saturates to ±1 without NaN (e^(−2x) overflows to +Inf for very
 * negative x, giving 2/Inf − 1 = −1). VJP `g·(1 − y²)`, reusing the output.
 */
export const Tanh = defineOp({
  name: 'Tanh',
  arity: 1,
  shapeRule: 'x → shape of x',
  summary: 'Elementwise tanh. VJP g·(1 − y²). Composite: 2 / (1 + exp(−2x)) − 1 (saturates to ±1, no NaN).',
  inferShape: ([x]) => [...x.shape],
  evaluate: ([x]) => x.data.map(Math.tanh),
  vjp: (g, _x, y) => [mul(g, sub(1, mul(y, y)))],
  decompose: ([x]) => sub(div(2, add(exp(mul(x, -2)), 1)), 1),
});

/**
 * Elementwise `tanh(x)`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, tanh } from '@sas/core';
 * const y = tanh(new GraphBuilder().input('x', [3]));
 * ```
 */
export function tanh(x: NodeRef): NodeRef {
  return x.builder.apply('Tanh', [x]);
}
