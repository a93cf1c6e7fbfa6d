import { isOpName, type OpName } from '../ops/table.js';
import type { AnyKernel, KernelFn, KernelTable } from './types.js';

/**
 * The kernel for the op named `op` (a node's run-time `op` string), or
 * undefined where `table` has none (a composite op it leaves to its
 * decomposition, or a leaf). The one place a kernel typed for `OpNode<N>` is
 * handed a plain `GraphNode`: sound because a node whose op is N carries
 * `OpAttrs<N>`, checked and canonicalised when the node was built or read.
 *
 * @example
 * ```ts
 * import { kernelFor, REFERENCE_KERNELS } from '@sas/core';
 * kernelFor(REFERENCE_KERNELS, 'Exp'); // the reference Exp kernel
 * kernelFor(REFERENCE_KERNELS, 'Attention'); // undefined: it runs through its decomposition
 * ```
 */
export function kernelFor<H, C>(table: KernelTable<H, C>, op: string): AnyKernel<H, C> | undefined {
  if (!isOpName(op) || !Object.hasOwn(table, op)) return undefined;
  return table[op] as AnyKernel<H, C> | undefined;
}

/**
 * A new table with every kernel of `table` passed through `lift` (which
 * keeps each kernel's op type): how a backend wraps its kernels with
 * deferral, timing or a context adapter without losing the typed contract.
 * Composite ops the table leaves out stay left out.
 *
 * @example
 * ```ts
 * import { mapKernels, REFERENCE_KERNELS } from '@sas/core';
 * // Every reference kernel, logging the node it runs.
 * const logged = mapKernels(REFERENCE_KERNELS, (op, kernel) => (inputs, node, ctx) => {
 *   console.log(op, node.id);
 *   return kernel(inputs, node, ctx);
 * });
 * ```
 */
export function mapKernels<H, C, H2, C2>(
  table: KernelTable<H, C>,
  lift: <N extends OpName>(op: N, kernel: KernelFn<H, C, N>) => KernelFn<H2, C2, N>,
): KernelTable<H2, C2> {
  const out: Partial<Record<OpName, unknown>> = {};
  for (const op of Object.keys(table)) {
    if (isOpName(op) && table[op] !== undefined) out[op] = lift(op, table[op] as KernelFn<H, C, typeof op>);
  }
  return out as KernelTable<H2, C2>;
}
