import { binaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise 1 where a equals b, else 0, with numpy broadcasting (NaN equals nothing).
 * The four stride cases (both rows, a row and a broadcast scalar, ...) get
 * their own loops so the hot loop is a plain indexed walk.
 *
 * @example
 * ```ts
 * import { Equal } from './Equal.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Equal([wrap(Float32Array.of(1, 2, 3, 4), [2, 2]), wrap(Float32Array.of(1, 4), [2])], nodeOf('Equal', [2, 2], {}), { gemm: jsGemm }).data; // [1, 0, 0, 1]
 * ```
 */
export const Equal = binaryKernel<'Equal'>((o, a, b, oi, ai, bi, n, sa, sb) => {
  if (sa === 1 && sb === 1) {
    for (let j = 0; j < n; j++) o[oi + j] = a[ai + j] === b[bi + j] ? 1 : 0;
  } else if (sa === 1) {
    const y = b[bi];
    for (let j = 0; j < n; j++) o[oi + j] = a[ai + j] === y ? 1 : 0;
  } else if (sb === 1) {
    const x = a[ai];
    for (let j = 0; j < n; j++) o[oi + j] = x === b[bi + j] ? 1 : 0;
  } else {
    o.fill(a[ai] === b[bi] ? 1 : 0, oi, oi + n);
  }
});
