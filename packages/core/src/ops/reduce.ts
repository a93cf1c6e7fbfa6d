import { sizeOf } from '../tensor.js';
import type { TensorType } from '../ir/types.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import type { RefTensor } from './op.js';

/** The attributes of both reductions. */
export const REDUCE_ATTRS = {
  axes: { type: 'axes', doc: 'the distinct axes to reduce (negative counts from the end); stored sorted and non-negative' },
  keepDims: { type: 'boolean', doc: 'keep each reduced axis with size 1 instead of dropping it' },
} as const satisfies AttrSchema;

/** Attributes shared by the reductions (axes canonical: sorted, in 0..rank−1). */
export type ReduceAttrs = AttrsOf<typeof REDUCE_ATTRS>;

/** Output shape of a reduction (attributes canonical). */
export function reducedShape(x: TensorType, { axes, keepDims }: ReduceAttrs): number[] {
  const out: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** The input shape with the (canonical) reduced axes set to 1: the keepDims shape. */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Folds `combine` over the reduced axes, starting from `init`. */
export function evaluateReduce(x: RefTensor, axes: readonly number[], init: number, combine: (acc: number, v: number) => number): Float64Array {
  const kept = keptShape(x.shape, axes);
  const out = new Float64Array(sizeOf(kept)).fill(init);
  // Walk the input once; the output index drops reduced axes (stride 0 there).
  const rank = x.shape.length;
  const outStrides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = kept[i] === 1 && x.shape[i] !== 1 ? 0 : acc;
    acc *= kept[i];
  }
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.data.length; i++) {
    out[o] = combine(out[o], x.data[i]);
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      o += outStrides[axis];
      if (counter[axis] < x.shape[axis]) break;
      o -= outStrides[axis] * x.shape[axis];
      counter[axis] = 0;
    }
  }
  return out;
}
