import type { NodeRef } from '../ir/builder.js';
import { sizeOf, stridesOf } from '../tensor.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { defineOp } from './op.js';

const FLIP_ATTRS = { axis: { type: 'axis', doc: 'the axis to reverse (negative counts from the end)' } } as const satisfies AttrSchema;

/** Flip's attributes (axis canonical: 0 ≤ axis < rank). */
export type FlipAttrs = AttrsOf<typeof FLIP_ATTRS>;

/** Reverses the order of elements along one axis. */
export const Flip = defineOp({
  name: 'Flip',
  arity: 1,
  attrs: FLIP_ATTRS,
  shapeRule: 'x → shape of x',
  summary: 'Reverses the elements along one axis (used by the convolution VJP).',
  inferShape: ([x]) => [...x.shape],
  evaluate: ([x], { axis: a }) => {
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
