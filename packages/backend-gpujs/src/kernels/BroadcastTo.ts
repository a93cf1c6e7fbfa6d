import { broadcastStridesOf, view } from '../tensor.js';
import { unmask, type GpuKernel } from './context.js';

/**
 * Broadcasts by giving the stretched and new leading axes stride 0: no
 * kernel runs and nothing is repeated in memory.
 *
 * @example
 * ```ts
 * // Runs for every BroadcastTo node of a graph on createGpujsBackend(); direct use:
 * const y = BroadcastTo([x], node, ctx);
 * ```
 */
export const BroadcastTo: GpuKernel<'BroadcastTo'> = ([x], node, ctx) => {
  const u = unmask(ctx, x);
  return view(u, { shape: node.shape, strides: broadcastStridesOf(u, node.shape) });
};
