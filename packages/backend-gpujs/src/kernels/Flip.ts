import { view } from '../tensor.js';
import { unmask, type GpuKernel } from './context.js';

/**
 * Reverses one axis by starting at its far end with a negated stride: no kernel runs.
 *
 * @example
 * ```ts
 * // Runs for every Flip node of a graph on createGpujsBackend(); direct use:
 * const y = Flip([x], node, ctx);
 * ```
 */
export const Flip: GpuKernel<'Flip'> = ([x], node, ctx) => {
  const u = unmask(ctx, x);
  const { axis } = node.attrs;
  const n = u.shape[axis];
  if (n <= 1) return view(u, {});
  const strides = [...u.strides];
  strides[axis] = -strides[axis];
  return view(u, { offset: u.offset + (n - 1) * u.strides[axis], strides });
};
