import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise a / b with numpy broadcasting, each operand read through its view.
 *
 * @example
 * ```ts
 * // Runs for every Div node of a graph on createGpujsBackend(); direct use:
 * const y = Div([a, b], node, ctx);
 * ```
 */
export const Div: GpuKernel<'Div'> = ([x, y], node, ctx) => elementwise(ctx, 'Div', [x, y], node.shape, ([a, b]) => `${a} / ${b}`);
