import type { NodeRef } from '../ir/builder.js';
import { defineBinary, lift, type Operand } from './elementwise.js';
import { neg } from './Neg.js';
import { unbroadcast } from './unbroadcast.js';

/** `a − b`, numpy broadcasting. */
export const Sub = defineBinary(
  'Sub',
  'Elementwise difference with numpy broadcasting.',
  (a, b) => a - b,
  (g, [a, b]) => [unbroadcast(g, a.shape), unbroadcast(neg(g), b.shape)],
);

/**
 * Elementwise `a − b` with numpy broadcasting.
 *
 * @example
 * ```ts
 * import { GraphBuilder, sub } from '@sas/core';
 * const b = new GraphBuilder();
 * const y = sub(b.input('x', [4]), 1); // x − 1
 * ```
 */
export function sub(a: Operand, b: Operand): NodeRef {
  const [x, y] = lift(a, b);
  return x.builder.apply('Sub', [x, y]);
}
