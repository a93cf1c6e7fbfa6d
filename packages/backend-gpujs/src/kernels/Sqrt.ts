import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise square root, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Sqrt node of a graph on createGpujsBackend(); direct use:
 * const y = Sqrt([x], node, ctx);
 * ```
 */
export const Sqrt: GpuKernel<'Sqrt'> = ([x], node, ctx) => elementwise(ctx, 'Sqrt', [x], node.shape, ([v]) => `Math.sqrt(${v})`);
