import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise e^x, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Exp node of a graph on createGpujsBackend(); direct use:
 * const y = Exp(ctx, [x], node, [xNode]);
 * ```
 */
export const Exp: GpuKernel = (ctx, [x], node) => elementwise(ctx, 'Exp', [x], node.shape, ([v]) => `Math.exp(${v})`);
