import type { NodeRef } from '../ir/builder.js';
import { sizeOf, stridesOf } from '../tensor.js';
import { defineOp, normalizeAxis } from './op.js';

type FlipAttrs = { readonly axis: number };

/** Reverses the order of elements along one axis. */
export const Flip = defineOp<FlipAttrs>({
  name: 'Flip',
  arity: 1,
  summary: 'Reverses the elements along one axis (used by the convolution VJP).',
  inferShape: ([x], { axis }) => {
    normalizeAxis('Flip', axis, x.shape.length, x.shape);
    return [...x.shape];
  },
  evaluate: ([x], { axis }) => {
    const a = normalizeAxis('Flip', axis, x.shape.length);
    const n = x.shape[a];
    const inner = stridesOf(x.shape)[a];
    const outer = sizeOf(x.shape) / (n * inner || 1);
    const out = new Float64Array(x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < n; j++) {
        const src = (o * n + j) * inner;
        const dst = (o * n + (n - 1 - j)) * inner;
        for (let i = 0; i < inner; i++) out[dst + i] = x.data[src + i];
      }
    }
    return out;
  },
  vjp: (g, _x, _y, { axis }) => [flip(g, axis)],
});

/**
 * Reverses `x` along `axis`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, flip } from '@sas/core';
 * const y = flip(new GraphBuilder().input('x', [2, 5]), -1);
 * ```
 */
export function flip(x: NodeRef, axis: number): NodeRef {
  return x.builder.apply('Flip', [x], { axis });
}
