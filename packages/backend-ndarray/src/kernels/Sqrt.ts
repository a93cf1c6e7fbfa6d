import { unaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise square root (NaN below 0).
 *
 * @example
 * ```ts
 * import { Sqrt } from './Sqrt.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Sqrt([wrap(Float32Array.of(4, 9), [2])], nodeOf('Sqrt', [2], {}), { gemm: jsGemm }).data; // [2, 3]
 * ```
 */
export const Sqrt = unaryKernel<'Sqrt'>((x, y, n) => {
  for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]);
});
