import type { NodeRef } from '../ir/builder.js';
import { sizeOf, fmtShape } from '../tensor.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, defineOp, shapeError } from './op.js';

const RESHAPE_ATTRS = { shape: { type: 'ints', doc: 'the new shape, same number of elements (no −1)' } } as const satisfies AttrSchema;

/** Reshape's attributes. */
export type ReshapeAttrs = AttrsOf<typeof RESHAPE_ATTRS>;

/** Reinterprets the row-major element order under a new shape of the same size. */
export const Reshape = defineOp({
  name: 'Reshape',
  arity: 1,
  attrs: RESHAPE_ATTRS,
  shapeRule: 'x → shape, when both hold as many elements',
  summary: 'Same elements in row-major order under a new shape; sizes must match (no -1 inference: shapes are explicit).',
  checkAttrs: ({ shape }) => {
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
      attrError('Reshape', `shape must be non-negative integers, got ${JSON.stringify(shape)}`);
  },
  inferShape: ([x], { shape }) => {
    if (sizeOf(x.shape) !== sizeOf(shape)) shapeError('Reshape', `cannot reshape ${sizeOf(x.shape)} elements to ${fmtShape(shape)}`, [x]);
    return [...shape];
  },
  evaluate: ([x]) => x.data.slice(),
  vjp: (g, [x]) => [reshape(g, x.shape)],
});

/**
 * Reshapes `x` (row-major) to `shape`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, reshape } from '@sas/core';
 * const y = reshape(new GraphBuilder().input('x', [2, 6]), [3, 4]);
 * ```
 */
export function reshape(x: NodeRef, shape: readonly number[]): NodeRef {
  return x.builder.apply('Reshape', [x], { shape: [...shape] });
}
