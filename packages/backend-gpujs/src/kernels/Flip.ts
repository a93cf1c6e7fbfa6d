import { view } from '../tensor.js';
import { unmask, type GpuKernel } from './context.js';

/**
 * Reverses one axis by starting at its far end with a negated stride: no kernel runs.
 *
 * @example
 * ```ts
 * // Runs for every Flip node of a graph on createGpujsBackend(); direct use:
 * const y = Flip(ctx, [x], node, [xNode]);
 * ```
 */
export const Flip: GpuKernel = (ctx, [x], node) => {
  const u = unmask(ctx, x);
  const rank = u.shape.length;
  const axis = ((node.attrs.axis as number) + rank) % rank;
  const n = u.shape[axis];
  if (n <= 1) return view(u, {});
  const strides = [...u.strides];
  strides[axis] = -strides[axis];
  return view(u, { offset: u.offset + (n - 1) * u.strides[axis], strides });
};
