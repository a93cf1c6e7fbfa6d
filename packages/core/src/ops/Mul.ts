import type { NodeRef } from '../ir/builder.js';
import { defineBinary, lift, type Operand } from './elementwise.js';
import { unbroadcast } from './unbroadcast.js';

/** `a · b` elementwise, numpy broadcasting. */
export const Mul = defineBinary(
  'Mul',
  'Elementwise product with numpy broadcasting.',
  (a, b) => a * b,
  (g, [a, b]) => [unbroadcast(mul(g, b), a.shape), unbroadcast(mul(g, a), b.shape)],
);

/**
 * Elementwise `a · b` with numpy broadcasting.
 *
 * @example
 * ```ts
 * import { GraphBuilder, mul } from '@sas/core';
 * const b = new GraphBuilder();
 * const y = mul(b.input('x', [2, 2]), 0.5); // halves x
 * ```
 */
export function mul(a: Operand, b: Operand): NodeRef {
  const [x, y] = lift(a, b);
  return x.builder.apply('Mul', [x, y]);
}
