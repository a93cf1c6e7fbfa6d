import type { NodeRef } from '../ir/builder.js';
import { sizeOf } from '../tensor.js';
import { forEachBroadcast } from './elementwise.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, broadcastShapes, defineOp, shapeError } from './op.js';
import { sameShape } from '../tensor.js';
import { unbroadcast } from './unbroadcast.js';

const BROADCAST_TO_ATTRS = { shape: { type: 'ints', doc: 'the target shape: the numpy broadcast of x and itself' } } as const satisfies AttrSchema;

/** BroadcastTo's attributes. */
export type BroadcastToAttrs = AttrsOf<typeof BROADCAST_TO_ATTRS>;

/** Repeats `x` along size-1 or missing leading axes to `shape` (numpy rules). */
export const BroadcastTo = defineOp({
  name: 'BroadcastTo',
  arity: 1,
  attrs: BROADCAST_TO_ATTRS,
  shapeRule: 'x → shape, when broadcast(shape x, shape) is shape',
  summary: 'Repeats x along size-1 or missing leading axes to reach shape (numpy broadcasting, one-directional).',
  checkAttrs: ({ shape }) => {
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
      attrError('BroadcastTo', `shape must be non-negative integers, got ${JSON.stringify(shape)}`);
  },
  inferShape: ([x], { shape }) => {
    const target = { shape, dtype: x.dtype };
    const out = broadcastShapes('BroadcastTo', x, target);
    if (!sameShape(out, shape)) shapeError('BroadcastTo', `cannot broadcast to [${shape.join(',')}]`, [x]);
    return out;
  },
  evaluate: ([x], _attrs, outShape) => {
    const out = new Float64Array(sizeOf(outShape));
    forEachBroadcast(outShape, [x.shape], (i, [ix]) => (out[i] = x.data[ix]));
    return out;
  },
  vjp: (g, [x]) => [unbroadcast(g, x.shape)],
});

/**
 * Broadcasts `x` to `shape`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, broadcastTo } from '@sas/core';
 * const y = broadcastTo(new GraphBuilder().input('x', [1, 3]), [4, 3]);
 * ```
 */
export function broadcastTo(x: NodeRef, shape: readonly number[]): NodeRef {
  return x.builder.apply('BroadcastTo', [x], { shape: [...shape] });
}
