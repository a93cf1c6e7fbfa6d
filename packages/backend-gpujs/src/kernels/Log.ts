import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise natural log, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Log node of a graph on createGpujsBackend(); direct use:
 * const y = Log([x], node, ctx);
 * ```
 */
export const Log: GpuKernel<'Log'> = ([x], node, ctx) => elementwise(ctx, 'Log', [x], node.shape, ([v]) => `Math.log(${v})`);
