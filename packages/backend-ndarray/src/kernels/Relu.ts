import { unaryKernel } from '../lib/elementwise.js';
import { reluInto } from '../lib/relu.js';

/**
 * Elementwise max(x, 0), written as in the reference so NaN stays NaN and −0 stays −0.
 *
 * @example
 * ```ts
 * import { Relu } from './Relu.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Relu([wrap(Float32Array.of(-1, 2), [2])], nodeOf('Relu', [2], {}), { gemm: jsGemm }).data; // [0, 2]
 * ```
 */
export const Relu = unaryKernel<'Relu'>((x, y, n) => reluInto(x, 0, y, 0, n));
