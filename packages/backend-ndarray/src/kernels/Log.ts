import { unaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise natural logarithm (IEEE: log 0 = −Inf, log of a negative = NaN).
 *
 * @example
 * ```ts
 * import { Log } from './Log.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Log([wrap(Float32Array.of(1, 0), [2])], nodeOf('Log', [2], {}), { gemm: jsGemm }).data; // [0, -Infinity]
 * ```
 */
export const Log = unaryKernel<'Log'>((x, y, n) => {
  for (let i = 0; i < n; i++) y[i] = Math.log(x[i]);
});
