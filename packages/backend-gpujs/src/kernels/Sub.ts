import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise a − b with numpy broadcasting, each operand read through its view.
 *
 * @example
 * ```ts
 * // Runs for every Sub node of a graph on createGpujsBackend(); direct use:
 * const y = Sub([a, b], node, ctx);
 * ```
 */
export const Sub: GpuKernel<'Sub'> = ([x, y], node, ctx) => elementwise(ctx, 'Sub', [x, y], node.shape, ([a, b]) => `${a} - ${b}`);
