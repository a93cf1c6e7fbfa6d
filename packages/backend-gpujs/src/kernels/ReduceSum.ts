import { reduce } from './reduce.js';
import type { GpuKernel } from './context.js';

/**
 * Sum over `axes` (keepDims or not: the output is the same elements either way).
 *
 * @example
 * ```ts
 * // Runs for every ReduceSum node of a graph on createGpujsBackend(); direct use:
 * const y = ReduceSum(ctx, [x], node, [xNode]);
 * ```
 */
export const ReduceSum: GpuKernel = (ctx, [x], node) =>
  reduce(ctx, 'ReduceSum', x, node.attrs.axes as readonly number[], node.shape, (acc, v) => `${acc} + ${v}`, 0);
