import { unaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise tanh (Math.tanh in double, rounded once on store): saturates
 * to ±1, NaN stays NaN.
 *
 * @example
 * ```ts
 * import { Tanh } from './Tanh.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Tanh([wrap(Float32Array.of(0, 100), [2])], nodeOf('Tanh', [2], {}), { gemm: jsGemm }).data; // [0, 1]
 * ```
 */
export const Tanh = unaryKernel<'Tanh'>((x, y, n) => {
  for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
});
