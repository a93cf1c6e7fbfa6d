import { conv1d } from '../tfops/conv1d.js';
import { defineKernel } from './kernel.js';

/**
 * Core Conv1d (x [N,C,L] ⋆ w [O,C,k], zero padding `pad`) as a channels-last
 * `tf.conv1d` on an explicitly padded input; see `tfops/conv1d`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 2, op: 'Conv1d', inputs: [0, 1], attrs: { pad: 1 }, shape: [8, 4, 16], dtype: 'float32' as const };
 * const y = Conv1d([tf.ones([8, 2, 16]), tf.ones([4, 2, 3])], node);
 * ```
 */
export const Conv1d = defineKernel<'Conv1d'>(([x, w], node) => conv1d(x, w, node.attrs.pad));
