import { unaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise eˣ (computed in double, rounded once on store).
 *
 * @example
 * ```ts
 * import { Exp } from './Exp.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Exp([wrap(Float32Array.of(0, 1), [2])], nodeOf('Exp', [2], {}), { gemm: jsGemm }).data; // [1, 2.7182817]
 * ```
 */
export const Exp = unaryKernel<'Exp'>((x, y, n) => {
  for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]);
});
