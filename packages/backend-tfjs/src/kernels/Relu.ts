import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Relu: `tf.relu` (NaN stays NaN on cpu and wasm, as in the reference).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'Relu', inputs: [0], attrs: {}, shape: [2], dtype: 'float32' as const };
 * const y = Relu([tf.tensor1d([-1, 2])], node, []); // shape [2]
 * ```
 */
export const Relu = defineKernel(([x]) => tf.relu(x));
