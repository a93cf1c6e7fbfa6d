import { reduce } from './reduce.js';
import type { GpuKernel } from './context.js';

/**
 * Maximum over `axes` (−∞ over an empty block, as in the reference).
 *
 * @example
 * ```ts
 * // Runs for every ReduceMax node of a graph on createGpujsBackend(); direct use:
 * const y = ReduceMax(ctx, [x], node, [xNode]);
 * ```
 */
export const ReduceMax: GpuKernel = (ctx, [x], node) =>
  reduce(ctx, 'ReduceMax', x, node.attrs.axes as readonly number[], node.shape, (acc, v) => `Math.max(${acc}, ${v})`, -Infinity);
