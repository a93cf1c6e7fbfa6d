import type { NdKernel } from '../deferred.js';
import { wrap } from '../handle.js';

/**
 * Reshape is free: every handle is contiguous row-major, so the result is a
 * new view over the same storage. Sharing is safe because kernels never write
 * into their inputs.
 *
 * @example
 * ```ts
 * import { Reshape } from './Reshape.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 2, 3, 4), [4]);
 * Reshape([x], nodeOf('Reshape', [2, 2], { shape: [2, 2] }), { gemm: jsGemm }).data === x.data; // true
 * ```
 */
export const Reshape: NdKernel<'Reshape'> = ([x], node) => wrap(x.data, node.shape);
