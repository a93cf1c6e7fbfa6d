import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core ReduceSum: `tf.sum` over the node's axes, keepDims as given (no axes: a copy).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'ReduceSum', inputs: [0], attrs: { axes: [1], keepDims: true }, shape: [2, 1], dtype: 'float32' as const };
 * const y = ReduceSum([tf.ones([2, 3])], node); // shape [2, 1]
 * ```
 */
export const ReduceSum = defineKernel<'ReduceSum'>(([x], node) =>
  // The sum over nothing is 0; tf.sum over an empty axis returns uninitialised memory on wasm.
  node.attrs.axes.some((a) => x.shape[a] === 0) ? tf.zeros([...node.shape]) : tf.sum(x, [...node.attrs.axes], node.attrs.keepDims),
);
