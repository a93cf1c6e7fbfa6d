import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise 1 where a == b, else 0 with numpy broadcasting, each operand read through its view.
 *
 * @example
 * ```ts
 * // Runs for every Equal node of a graph on createGpujsBackend(); direct use:
 * const y = Equal([a, b], node, ctx);
 * ```
 */
export const Equal: GpuKernel<'Equal'> = ([x, y], node, ctx) => elementwise(ctx, 'Equal', [x, y], node.shape, ([a, b]) => `(${a} === ${b} ? 1.0 : 0.0)`);
