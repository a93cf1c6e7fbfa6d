import { constantValues, type GraphNode } from '@sas/core';
import { elementwise, view, type GpuKernel } from './context.js';
import type { GpuTensor } from '../tensor.js';

/**
 * The value of a finite scalar Constant node as the graph's dtype holds it
 * (float32 graphs round constants to float32 before any op sees them), or null.
 */
function scalarConstant(node: GraphNode): number | null {
  if (node.op !== 'Constant') return null;
  const values = constantValues(node);
  if (values.length !== 1 || !Number.isFinite(values[0])) return null;
  return node.dtype === 'float32' ? Math.fround(values[0]) : values[0];
}

/** When one operand is a scalar constant and the other already has the output's shape, the product is a scaled view. */
function scaledView(t: GpuTensor, c: number | null, shape: readonly number[]): GpuTensor | null {
  if (c === null || t.mask !== null || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) return null;
  return view(t, { scale: t.scale * c });
}

/**
 * Elementwise a·b with numpy broadcasting. A product with a scalar constant
 * (attention's 1/√D', PEAA's 1/G) launches nothing: it becomes a scale on the
 * view, applied by whichever kernel reads it next.
 *
 * @example
 * ```ts
 * // Runs for every Mul node of a graph on createGpujsBackend(); direct use:
 * const y = Mul([a, b], node, ctx);
 * ```
 */
export const Mul: GpuKernel<'Mul'> = ([x, y], node, ctx) => {
  const [nx, ny] = node.inputs.map((i) => ctx.graph.nodes[i]);
  return (
    scaledView(x, scalarConstant(ny), node.shape) ??
    scaledView(y, scalarConstant(nx), node.shape) ??
    elementwise(ctx, 'Mul', [x, y], node.shape, ([a, b]) => `${a} * ${b}`)
  );
};
