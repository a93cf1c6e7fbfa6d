import { binaryKernel } from '../lib/elementwise.js';

/**
 * Elementwise a / b with numpy broadcasting (IEEE: x/0 is ±Inf or NaN).
 * The four stride cases (both rows, a row and a broadcast scalar, ...) get
 * their own loops so the hot loop is a plain indexed walk.
 *
 * @example
 * ```ts
 * import { Div } from './Div.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Div([wrap(Float32Array.of(2, 4, 6, 8), [2, 2]), wrap(Float32Array.of(2), [])], nodeOf('Div', [2, 2], {}), { gemm: jsGemm }).data; // [1, 2, 3, 4]
 * ```
 */
export const Div = binaryKernel<'Div'>((o, a, b, oi, ai, bi, n, sa, sb) => {
  if (sa === 1 && sb === 1) {
    for (let j = 0; j < n; j++) o[oi + j] = a[ai + j] / b[bi + j];
  } else if (sa === 1) {
    const y = b[bi];
    for (let j = 0; j < n; j++) o[oi + j] = a[ai + j] / y;
  } else if (sb === 1) {
    const x = a[ai];
    for (let j = 0; j < n; j++) o[oi + j] = x / b[bi + j];
  } else {
    o.fill(a[ai] / b[bi], oi, oi + n);
  }
});
