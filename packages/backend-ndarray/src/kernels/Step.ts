import { unaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise Heaviside step: 1 where x > 0, 0 where x ≤ 0, NaN for NaN (the
 * derivative of Relu as the reference defines it).
 *
 * @example
 * ```ts
 * import { Step } from './Step.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Step([wrap(Float32Array.of(-1, 0, 3), [3])], nodeOf('Step', [3], {}), { gemm: jsGemm }).data; // [0, 0, 1]
 * ```
 */
export const Step = unaryKernel<'Step'>((x, y, n) => {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    // A compare, not a sign branch (random signs mispredict); NaN stays NaN.
    y[i] = v !== v ? NaN : +(v > 0);
  }
});
