import type { NodeRef } from '../ir/builder.js';
import { div } from './Div.js';
import { defineUnary } from './elementwise.js';
import { mul } from './Mul.js';

/** `√x`; VJP g / (2√x), reusing the output. */
export const Sqrt = defineUnary('Sqrt', 'Elementwise square root (NaN below 0).', Math.sqrt, (g, _x, y) => [div(g, mul(y, 2))]);

/**
 * Elementwise square root.
 *
 * @example
 * ```ts
 * import { GraphBuilder, sqrt } from '@sas/core';
 * const y = sqrt(new GraphBuilder().input('x', [3]));
 * ```
 */
export function sqrt(x: NodeRef): NodeRef {
  return x.builder.apply('Sqrt', [x]);
}
