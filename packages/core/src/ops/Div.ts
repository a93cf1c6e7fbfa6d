import type { NodeRef } from '../ir/builder.js';
import { defineBinary, lift, type Operand } from './elementwise.js';
import { mul } from './Mul.js';
import { neg } from './Neg.js';
import { unbroadcast } from './unbroadcast.js';

/** `a / b` elementwise, numpy broadcasting. */
export const Div = defineBinary(
  'Div',
  'Elementwise quotient with numpy broadcasting (IEEE: x/0 is ±Inf or NaN).',
  (a, b) => a / b,
  (g, [a, b], y) => [
    // ∂(a/b)/∂a = 1/b ; ∂(a/b)/∂b = −a/b² = −y/b
    unbroadcast(div(g, b), a.shape),
    unbroadcast(neg(div(mul(g, y), b)), b.shape),
  ],
);

/**
 * Elementwise `a / b` with numpy broadcasting.
 *
 * @example
 * ```ts
 * import { GraphBuilder, div } from '@sas/core';
 * const b = new GraphBuilder();
 * const y = div(b.input('x', [3]), 4); // x / 4
 * ```
 */
export function div(a: Operand, b: Operand): NodeRef {
  const [x, y] = lift(a, b);
  return x.builder.apply('Div', [x, y]);
}
