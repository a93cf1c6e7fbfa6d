import type { NodeRef } from '../ir/builder.js';
import { sizeOf, stridesOf } from '../tensor.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, defineOp, shapeError } from './op.js';

const TRANSPOSE_ATTRS = { perm: { type: 'ints', doc: 'output axis i is input axis perm[i]; a permutation of 0..rank−1' } } as const satisfies AttrSchema;

/** Transpose's attributes. */
export type TransposeAttrs = AttrsOf<typeof TRANSPOSE_ATTRS>;

/** Permutes axes: output axis i is input axis perm[i]. */
export const Transpose = defineOp({
  name: 'Transpose',
  arity: 1,
  attrs: TRANSPOSE_ATTRS,
  shapeRule: 'x → perm.map(p => shape x[p])',
  summary: 'Permutes axes: output axis i is input axis perm[i]; perm must be a permutation of 0..rank−1.',
  checkAttrs: ({ perm }) => {
    if (!Array.isArray(perm)) attrError('Transpose', 'perm must be an array');
    const seen = new Set(perm);
    if (seen.size !== perm.length || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= perm.length)) {
      attrError('Transpose', `perm ${JSON.stringify(perm)} is not a permutation of 0..${perm.length - 1}`);
    }
  },
  inferShape: ([x], { perm }) => {
    if (perm.length !== x.shape.length) shapeError('Transpose', `perm has ${perm.length} axes but the input has rank ${x.shape.length}`, [x]);
    return perm.map((p) => x.shape[p]);
  },
  evaluate: ([x], { perm }, outShape) => {
    const inStrides = stridesOf(x.shape);
    const strides = perm.map((p) => inStrides[p]);
    const out = new Float64Array(sizeOf(outShape));
    const counter = new Array<number>(outShape.length).fill(0);
    let offset = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = x.data[offset];
      for (let axis = outShape.length - 1; axis >= 0; axis--) {
        counter[axis]++;
        offset += strides[axis];
        if (counter[axis] < outShape[axis]) break;
        offset -= strides[axis] * outShape[axis];
        counter[axis] = 0;
      }
    }
    return out;
  },
  vjp: (g, _x, _y, { perm }) => [transpose(g, inversePermutation(perm))],
});

/** The permutation that undoes `perm`. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * Permutes the axes of `x`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, transpose } from '@sas/core';
 * const y = transpose(new GraphBuilder().input('x', [2, 3, 4]), [0, 2, 1]); // [2, 4, 3]
 * ```
 */
export function transpose(x: NodeRef, perm: readonly number[]): NodeRef {
  return x.builder.apply('Transpose', [x], { perm: [...perm] });
}
