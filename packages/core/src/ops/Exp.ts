import type { NodeRef } from '../ir/builder.js';
import { defineUnary } from './elementwise.js';
import { mul } from './Mul.js';

/** `eˣ`; its VJP reuses the output: g·y. */
export const Exp = defineUnary('Exp', 'Elementwise natural exponential.', Math.exp, (g, _x, y) => [mul(g, y)]);

/**
 * Elementwise `eˣ`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp } from '@sas/core';
 * const y = exp(new GraphBuilder().input('x', [3]));
 * ```
 */
export function exp(x: NodeRef): NodeRef {
  return x.builder.apply('Exp', [x]);
}
