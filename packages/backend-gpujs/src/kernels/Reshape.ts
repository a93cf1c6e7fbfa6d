import { fromStorage, rowMajor, view } from '../tensor.js';
import { materialize, unmask, type GpuKernel } from './context.js';

/**
 * Same elements, new shape. A row-major view (any offset or scale) is
 * reinterpreted in place; any other view (transposed, broadcast, flipped) is
 * first copied into row-major order, once.
 *
 * @example
 * ```ts
 * // Runs for every Reshape node of a graph on createGpujsBackend(); direct use:
 * const y = Reshape([x], node, ctx);
 * ```
 */
export const Reshape: GpuKernel<'Reshape'> = ([x], node, ctx) => {
  const u = unmask(ctx, x);
  const want = rowMajor(u.shape);
  if (u.shape.every((d, i) => d <= 1 || u.strides[i] === want[i])) return view(u, { shape: node.shape, strides: rowMajor(node.shape) });
  const copy = materialize(ctx, u);
  return { ...fromStorage(copy.storage, node.shape) };
};
