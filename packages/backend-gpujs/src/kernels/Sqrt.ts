import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise square root, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Sqrt node of a graph on createGpujsBackend(); direct use:
 * const y = Sqrt(ctx, [x], node, [xNode]);
 * ```
 */
export const Sqrt: GpuKernel = (ctx, [x], node) => elementwise(ctx, 'Sqrt', [x], node.shape, ([v]) => `Math.sqrt(${v})`);
