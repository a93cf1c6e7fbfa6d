import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise −x, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Neg node of a graph on createGpujsBackend(); direct use:
 * const y = Neg(ctx, [x], node, [xNode]);
 * ```
 */
export const Neg: GpuKernel = (ctx, [x], node) => elementwise(ctx, 'Neg', [x], node.shape, ([v]) => `-(${v})`);
