import { causalMask } from '../tfops/causal-mask.js';
import { defineKernel } from './kernel.js';

const FILL = { 'neg-inf': -Infinity, zero: 0 } as const;

/**
 * Core CausalMask: `tf.where` with a host-built, full-shape condition (see
 * `tfops/causal-mask` for why not a broadcast one or an additive mask).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const node = { id: 1, op: 'CausalMask', inputs: [0], attrs: { fill: 'neg-inf' }, shape: [1, 3, 3], dtype: 'float32' as const };
 * const masked = CausalMask([tf.zeros([1, 3, 3])], node);
 * ```
 */
export const CausalMask = defineKernel<'CausalMask'>(([x], node) => causalMask(x, FILL[node.attrs.fill]));
