import { sizeOf } from '../tensor.js';
import type { TensorType } from '../ir/types.js';
import { attrError, normalizeAxis, type RefTensor } from './op.js';

/** Attributes shared by the reductions. */
export type ReduceAttrs = { readonly axes: readonly number[]; readonly keepDims: boolean };

/** Sorted, normalised, de-duplicated axes, or an attribute error. */
export function reduceAxes(op: string, axes: readonly number[], rank: number, shape?: readonly number[]): number[] {
  if (!Array.isArray(axes)) attrError(op, 'axes must be an array');
  const norm = axes.map((a) => normalizeAxis(op, a, rank, shape));
  if (new Set(norm).size !== norm.length) attrError(op, `axes ${JSON.stringify(axes)} repeat an axis`);
  return norm.sort((a, b) => a - b);
}

/** Output shape of a reduction. */
export function reducedShape(op: string, x: TensorType, attrs: ReduceAttrs): number[] {
  if (typeof attrs.keepDims !== 'boolean') attrError(op, `keepDims must be a boolean, got ${JSON.stringify(attrs.keepDims)}`);
  const axes = reduceAxes(op, attrs.axes, x.shape.length, x.shape);
  const out: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (attrs.keepDims) out.push(1);
  });
  return out;
}

/** The input shape with reduced axes set to 1 (the keepDims shape). */
export function keptShape(op: string, shape: readonly number[], axes: readonly number[]): number[] {
  const norm = reduceAxes(op, axes, shape.length);
  return shape.map((d, i) => (norm.includes(i) ? 1 : d));
}

/** Folds `combine` over the reduced axes, starting from `init`. */
export function evaluateReduce(op: string, x: RefTensor, axes: readonly number[], init: number, combine: (acc: number, v: number) => number): Float64Array {
  const kept = keptShape(op, x.shape, axes);
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
