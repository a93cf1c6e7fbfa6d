import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise e^x, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Exp node of a graph on createGpujsBackend(); direct use:
 * const y = Exp([x], node, ctx);
 * ```
 */
export const Exp: GpuKernel<'Exp'> = ([x], node, ctx) => elementwise(ctx, 'Exp', [x], node.shape, ([v]) => `Math.exp(${v})`);
