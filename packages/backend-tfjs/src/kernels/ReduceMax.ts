import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core ReduceMax: `tf.max` over the node's axes (NaN propagates on cpu and wasm, as in the reference);
 * over an empty axis, −∞.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'ReduceMax', inputs: [0], attrs: { axes: [1], keepDims: false }, shape: [2], dtype: 'float32' as const };
 * const y = ReduceMax([tf.tensor2d([[1, 5], [3, 2]])], node); // shape [2]
 * ```
 */
export const ReduceMax = defineKernel<'ReduceMax'>(([x], node) =>
  // The max over nothing is −∞ (max's identity, as in the reference); tf.max gives NaN on cpu and garbage on wasm.
  node.attrs.axes.some((a) => x.shape[a] === 0) ? tf.fill([...node.shape], -Infinity) : tf.max(x, [...node.attrs.axes], node.attrs.keepDims),
);
