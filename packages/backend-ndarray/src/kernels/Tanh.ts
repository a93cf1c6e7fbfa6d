import { unaryKernel } from '../lib/elementwise.js';
import { tanh32 } from '../lib/tanh.js';

/**
 * Elementwise tanh, rounded once on store: float32 values through `tanh32`
 * (1e-9 relative, without Math.tanh's library call), float64 through
 * Math.tanh. Saturates to ±1, NaN stays NaN.
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
  if (y instanceof Float32Array) for (let i = 0; i < n; i++) y[i] = tanh32(x[i]);
  else for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
});
