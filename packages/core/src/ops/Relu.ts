import type { NodeRef } from '../ir/builder.js';
import { defineUnary } from './elementwise.js';
import { mul } from './Mul.js';
import { step } from './Step.js';

/**
 * `max(x, 0)`; its derivative at 0 is taken as 0, as in PyTorch. The VJP
 * reads the output, g·step(y): step(relu(x)) is step(x) for every x (NaN and
 * −0 included), and a gradient graph that no longer reads the pre-activation
 * lets a backend fuse the Relu into the product or convolution before it, as
 * in the forward graph.
 */
export const Relu = defineUnary(
  'Relu',
  'Elementwise max(x, 0); derivative 0 at x = 0 (PyTorch convention).',
  (x) => (x < 0 ? 0 : x),
  (g, _x, y) => [mul(g, step(y))],
);

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
