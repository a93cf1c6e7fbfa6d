import type { DType, OpAttrs, OpName, OpNode } from '@sas/core';

/**
 * A stand-alone graph node, for calling a kernel directly (examples, tests)
 * without building a graph.
 *
 * @example
 * ```ts
 * import { nodeOf } from './node.js';
 * nodeOf('MatMul', [2, 2], { transposeA: false, transposeB: true }).attrs.transposeB; // true
 * ```
 */
export function nodeOf<N extends OpName>(op: N, shape: readonly number[], attrs: OpAttrs<N>, dtype: DType = 'float32'): OpNode<N> {
  return { id: 0, op, inputs: [], attrs, shape: [...shape], dtype };
}
