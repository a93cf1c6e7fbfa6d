import type { NodeRef } from '../ir/builder.js';
import { defineBinary, lift, type Operand } from './elementwise.js';

/** 1 where `a == b`, else 0; piecewise constant, so no gradient flows through it. */
export const Equal = defineBinary(
  'Equal',
  'Elementwise 1 where a equals b, else 0 (numpy broadcasting); no gradient.',
  (a, b) => (a === b ? 1 : 0),
  () => [null, null],
);

/**
 * Elementwise `a == b` as 1/0, with numpy broadcasting.
 *
 * @example
 * ```ts
 * import { GraphBuilder, equal } from '@sas/core';
 * const b = new GraphBuilder();
 * const isZero = equal(b.input('x', [3]), 0);
 * ```
 */
export function equal(a: Operand, b: Operand): NodeRef {
  const [x, y] = lift(a, b);
  return x.builder.apply('Equal', [x, y]);
}
