import type { NodeRef } from '../ir/builder.js';
import { defineBinary, lift, type Operand } from './elementwise.js';
import { unbroadcast } from './unbroadcast.js';

/** `a + b`, numpy broadcasting. */
export const Add = defineBinary(
  'Add',
  'Elementwise sum with numpy broadcasting.',
  (a, b) => a + b,
  (g, [a, b]) => [unbroadcast(g, a.shape), unbroadcast(g, b.shape)],
);

/**
 * Elementwise `a + b` with numpy broadcasting; a number becomes a scalar.
 *
 * @example
 * ```ts
 * import { GraphBuilder, add } from '@sas/core';
 * const b = new GraphBuilder();
 * const y = add(b.input('x', [2, 3]), b.param('bias', [3])); // shape [2, 3]
 * ```
 */
export function add(a: Operand, b: Operand): NodeRef {
  const [x, y] = lift(a, b);
  return x.builder.apply('Add', [x, y]);
}
