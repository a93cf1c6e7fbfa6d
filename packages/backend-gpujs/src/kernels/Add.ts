import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise a + b with numpy broadcasting, each operand read through its view.
 *
 * @example
 * ```ts
 * // Runs for every Add node of a graph on createGpujsBackend(); direct use:
 * const y = Add(ctx, [a, b], node, [aNode, bNode]);
 * ```
 */
export const Add: GpuKernel = (ctx, [x, y], node) => elementwise(ctx, 'Add', [x, y], node.shape, ([a, b]) => `${a} + ${b}`);
