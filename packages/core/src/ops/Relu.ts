import type { NodeRef } from '../ir/builder.js';
import { defineUnary } from './elementwise.js';
import { mul } from './Mul.js';
import { step } from './Step.js';

/** `max(x, 0)`; its derivative at 0 is taken as 0, as in PyTorch. */
export const Relu = defineUnary('Relu', 'Elementwise max(x, 0); derivative 0 at x = 0 (PyTorch convention).', (x) => (x < 0 ? 0 : x), (g, [x]) => [
  mul(g, step(x)),
]);

/**
 * Elementwise `max(x, 0)`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, relu } from '@sas/core';
 * const y = relu(new GraphBuilder().input('x', [3]));
 * ```
 */
export function relu(x: NodeRef): NodeRef {
  return x.builder.apply('Relu', [x]);
}
