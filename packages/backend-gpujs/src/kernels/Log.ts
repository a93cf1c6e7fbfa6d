import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise natural log, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Log node of a graph on createGpujsBackend(); direct use:
 * const y = Log(ctx, [x], node, [xNode]);
 * ```
 */
export const Log: GpuKernel = (ctx, [x], node) => elementwise(ctx, 'Log', [x], node.shape, ([v]) => `Math.log(${v})`);
