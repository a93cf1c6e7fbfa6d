import type { NodeRef } from '../ir/builder.js';
import { sameShape } from '../tensor.js';
import { reduceSum } from './ReduceSum.js';
import { reshape } from './Reshape.js';

/**
 * Sums a cotangent of a broadcast result back to the shape of the operand
 * that was broadcast: the VJP of numpy broadcasting.
 */
export function unbroadcast(g: NodeRef, shape: readonly number[]): NodeRef {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? reduceSum(g, axes, false) : g;
  return sameShape(summed.shape, shape) ? summed : reshape(summed, shape);
}
