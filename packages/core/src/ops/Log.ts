import type { NodeRef } from '../ir/builder.js';
import { div } from './Div.js';
import { defineUnary } from './elementwise.js';

/** Natural logarithm; log of a negative number is NaN, log 0 is −Inf (IEEE). */
export const Log = defineUnary('Log', 'Elementwise natural logarithm (IEEE for x ≤ 0).', Math.log, (g, [x]) => [div(g, x)]);

/**
 * Elementwise natural logarithm.
 *
 * @example
 * ```ts
 * import { GraphBuilder, log } from '@sas/core';
 * const y = log(new GraphBuilder().input('x', [3]));
 * ```
 */
export function log(x: NodeRef): NodeRef {
  return x.builder.apply('Log', [x]);
}
