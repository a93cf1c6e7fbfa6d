import type { NodeRef } from '../ir/builder.js';
import { defineUnary } from './elementwise.js';

/** `−x`. */
export const Neg = defineUnary(
  'Neg',
  'Elementwise negation.',
  (x) => -x,
  (g) => [neg(g)],
);

/**
 * Elementwise `−x`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, neg } from '@sas/core';
 * const y = neg(new GraphBuilder().input('x', [3]));
 * ```
 */
export function neg(x: NodeRef): NodeRef {
  return x.builder.apply('Neg', [x]);
}
