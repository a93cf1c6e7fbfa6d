import { binaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise a + b with numpy broadcasting.
 * The four stride cases (both rows, a row and a broadcast scalar, ...) get
 * their own loops so the hot loop is a plain indexed walk.
 *
 * @example
 * ```ts
 * import { Add } from './Add.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Add([wrap(Float32Array.of(1, 2, 3, 4), [2, 2]), wrap(Float32Array.of(10, 20), [2])], nodeOf('Add', [2, 2], {}), { gemm: jsGemm }).data; // [11, 22, 13, 24]
 * ```
 */
export const Add = binaryKernel<'Add'>((o, a, b, oi, ai, bi, n, sa, sb) => {
  if (sa === 1 && sb === 1) {
    for (let j = 0; j < n; j++) o[oi + j] = a[ai + j] + b[bi + j];
  } else if (sa === 1) {
    const y = b[bi];
    for (let j = 0; j < n; j++) o[oi + j] = a[ai + j] + y;
  } else if (sb === 1) {
    const x = a[ai];
    for (let j = 0; j < n; j++) o[oi + j] = x + b[bi + j];
  } else {
    o.fill(a[ai] + b[bi], oi, oi + n);
  }
});
