import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise −x, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Neg node of a graph on createGpujsBackend(); direct use:
 * const y = Neg([x], node, ctx);
 * ```
 */
export const Neg: GpuKernel<'Neg'> = ([x], node, ctx) => elementwise(ctx, 'Neg', [x], node.shape, ([v]) => `-(${v})`);
