import type { NodeRef } from '../ir/builder.js';
import { defineUnary } from './elementwise.js';

/** Heaviside step: 1 where x > 0, else 0 (the derivative of Relu). No gradient. */
export const Step = defineUnary(
  'Step',
  'Elementwise 1 where x > 0, else 0 (NaN stays NaN); the derivative of Relu, with no gradient of its own.',
  (x) => (x > 0 ? 1 : x <= 0 ? 0 : NaN),
  () => [null],
);

/**
 * Elementwise `x > 0 ? 1 : 0`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, step } from '@sas/core';
 * const mask = step(new GraphBuilder().input('x', [3]));
 * ```
 */
export function step(x: NodeRef): NodeRef {
  return x.builder.apply('Step', [x]);
}
