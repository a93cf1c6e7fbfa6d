import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './kernel.js';

/**
 * Core Add: `tf.add`, whose broadcasting is numpy's, like the op's.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'Add', inputs: [0, 1], attrs: {}, shape: [2, 3], dtype: 'float32' as const };
 * const y = Add([tf.ones([2, 3]), tf.ones([3])], node); // shape [2, 3]
 * ```
 */
export const Add = defineKernel<'Add'>(([a, b]) => tf.add(a, b));
