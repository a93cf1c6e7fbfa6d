import type { Attrs, DType, GraphNode } from '@sas/core';

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
export function nodeOf(op: string, shape: readonly number[], attrs: Attrs = {}, dtype: DType = 'float32'): GraphNode {
  return { id: 0, op, inputs: [], attrs, shape: [...shape], dtype };
}
