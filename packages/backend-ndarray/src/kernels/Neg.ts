import { unaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise −x.
 *
 * @example
 * ```ts
 * import { Neg } from './Neg.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Neg([wrap(Float32Array.of(1, -2), [2])], nodeOf('Neg', [2], {}), { gemm: jsGemm }).data; // [-1, 2]
 * ```
 */
export const Neg = unaryKernel<'Neg'>((x, y, n) => {
  for (let i = 0; i < n; i++) y[i] = -x[i];
});
