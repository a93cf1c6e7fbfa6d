import { view } from '../tensor.js';
import { unmask, type GpuKernel } from './context.js';

/**
 * Permutes axes by permuting the view's strides: no kernel runs; whichever
 * kernel reads the result walks the original storage in the new order.
 *
 * @example
 * ```ts
 * // Runs for every Transpose node of a graph on createGpujsBackend(); direct use:
 * const y = Transpose(ctx, [x], node, [xNode]);
 * ```
 */
export const Transpose: GpuKernel = (ctx, [x], node) => {
  const u = unmask(ctx, x);
  const perm = node.attrs.perm as readonly number[];
  return view(u, { shape: node.shape, strides: perm.map((p) => u.strides[p]) });
};
