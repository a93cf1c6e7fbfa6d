import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise a + b with numpy broadcasting, each operand read through its view.
 *
 * @example
 * ```ts
 * // Runs for every Add node of a graph on createGpujsBackend(); direct use:
 * const y = Add([a, b], node, ctx);
 * ```
 */
export const Add: GpuKernel<'Add'> = ([x, y], node, ctx) => elementwise(ctx, 'Add', [x, y], node.shape, ([a, b]) => `${a} + ${b}`);
