import { view } from '../tensor.js';
import { unmask, type GpuKernel } from './context.js';

/**
 * Marks the view as causally masked (entries with j > i + Tk − Tq read as the
 * fill) without running anything. Softmax applies a −∞ mask while it reads —
 * the fused causal masked softmax of attention; any other reader gets the
 * masked values computed once (see `unmask`).
 *
 * @example
 * ```ts
 * // Runs for every CausalMask node of a graph on createGpujsBackend(); direct use:
 * const y = CausalMask([scores], node, ctx);
 * ```
 */
export const CausalMask: GpuKernel<'CausalMask'> = ([x], node, ctx) => {
  const { fill } = node.attrs;
  // Masking twice with the same fill is masking once; mixed fills are computed in order.
  const u = x.mask === null || x.mask === fill ? x : unmask(ctx, x);
  return view(u, { mask: fill });
};
