import { reduce } from './reduce.js';
import type { GpuKernel } from './context.js';

/**
 * Sum over `axes` (keepDims or not: the output is the same elements either way).
 *
 * @example
 * ```ts
 * // Runs for every ReduceSum node of a graph on createGpujsBackend(); direct use:
 * const y = ReduceSum([x], node, ctx);
 * ```
 */
export const ReduceSum: GpuKernel<'ReduceSum'> = ([x], node, ctx) => reduce(ctx, 'ReduceSum', x, node.attrs.axes, node.shape, (acc, v) => `${acc} + ${v}`, 0);
