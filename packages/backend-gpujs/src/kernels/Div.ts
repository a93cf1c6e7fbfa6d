import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise a / b with numpy broadcasting, each operand read through its view.
 *
 * @example
 * ```ts
 * // Runs for every Div node of a graph on createGpujsBackend(); direct use:
 * const y = Div(ctx, [a, b], node, [aNode, bNode]);
 * ```
 */
export const Div: GpuKernel = (ctx, [x, y], node) => elementwise(ctx, 'Div', [x, y], node.shape, ([a, b]) => `${a} / ${b}`);
