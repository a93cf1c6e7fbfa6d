import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise 1 where x > 0, else 0; NaN stays NaN (neither comparison holds), reading `x` through its view.
 *
 * @example
 * ```ts
 * // Runs for every Step node of a graph on createGpujsBackend(); direct use:
 * const y = Step([x], node, ctx);
 * ```
 */
export const Step: GpuKernel<'Step'> = ([x], node, ctx) =>
  elementwise(ctx, 'Step', [x], node.shape, ([v]) => `(${v} > 0.0 ? 1.0 : (${v} <= 0.0 ? 0.0 : ${v}))`);
