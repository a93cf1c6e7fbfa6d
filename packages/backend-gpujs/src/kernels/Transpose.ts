import { view } from '../tensor.js';
import { unmask, type GpuKernel } from './context.js';

/**
 * Permutes axes by permuting the view's strides: no kernel runs; whichever
 * kernel reads the result walks the original storage in the new order.
 *
 * @example
 * ```ts
 * // Runs for every Transpose node of a graph on createGpujsBackend(); direct use:
 * const y = Transpose([x], node, ctx);
 * ```
 */
export const Transpose: GpuKernel<'Transpose'> = ([x], node, ctx) => {
  const u = unmask(ctx, x);
  const { perm } = node.attrs;
  return view(u, { shape: node.shape, strides: perm.map((p) => u.strides[p]) });
};
