import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise a − b with numpy broadcasting, each operand read through its view.
 *
 * @example
 * ```ts
 * // Runs for every Sub node of a graph on createGpujsBackend(); direct use:
 * const y = Sub(ctx, [a, b], node, [aNode, bNode]);
 * ```
 */
export const Sub: GpuKernel = (ctx, [x, y], node) => elementwise(ctx, 'Sub', [x, y], node.shape, ([a, b]) => `${a} - ${b}`);
