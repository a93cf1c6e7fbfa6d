import { reduce } from './reduce.js';
import type { GpuKernel } from './context.js';

/**
 * Maximum over `axes` (−∞ over an empty block, as in the reference).
 *
 * @example
 * ```ts
 * // Runs for every ReduceMax node of a graph on createGpujsBackend(); direct use:
 * const y = ReduceMax([x], node, ctx);
 * ```
 */
export const ReduceMax: GpuKernel<'ReduceMax'> = ([x], node, ctx) =>
  reduce(ctx, 'ReduceMax', x, node.attrs.axes, node.shape, (acc, v) => `Math.max(${acc}, ${v})`, -Infinity);
