import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise max(x, 0), written as a select so NaN passes through as in the reference, reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Relu node of a graph on createGpujsBackend(); direct use:
 * const y = Relu([x], node, ctx);
 * ```
 */
export const Relu: GpuKernel<'Relu'> = ([x], node, ctx) => elementwise(ctx, 'Relu', [x], node.shape, ([v]) => `(${v} < 0.0 ? 0.0 : ${v})`);
