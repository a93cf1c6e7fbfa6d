// How a model-op case feeds each operand: straight from an Input, or through
// a view op (transpose, flip, scale, reshape) applied to data prepared so
// that the operand's values are exactly the intended ones. Backends that
// keep such ops as lazy views (gpu.js: strides, offsets, a pending scale)
// then have their kernels read every operand layout, with no change to what
// the op computes.

import { allocate, flip, mul, reshape, transpose, type GraphBuilder, type NodeRef, type Tensor } from '@sas/core';

/** The ways an operand reaches the op under test. */
export const OPERAND_VIEWS = ['plain', 'transpose', 'flip', 'scale', 'reshape'] as const;

/** One way an operand reaches the op under test. */
export type OperandView = (typeof OPERAND_VIEWS)[number];

const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/** `t` with its axes in reverse order (the transpose that is its own inverse). */
function reversedAxes(t: Tensor): Tensor {
  const shape = [...t.shape].reverse();
  const rank = shape.length;
  const srcStrides = t.shape.map((_, k) => size(t.shape.slice(k + 1)));
  const data = allocate(t.dtype, t.data.length);
  const coords = new Array<number>(rank).fill(0);
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    for (let k = rank - 1; k >= 0; k--) {
      coords[k] = rem % shape[k];
      rem = Math.floor(rem / shape[k]);
    }
    // coords index the reversed shape: axis k of the result is axis rank−1−k of t.
    let src = 0;
    for (let k = 0; k < rank; k++) src += coords[k] * srcStrides[rank - 1 - k];
    data[i] = t.data[src];
  }
  return { dtype: t.dtype, shape, data };
}

/** `t` with the order along axis 0 reversed (its own inverse). */
function flippedRows(t: Tensor): Tensor {
  const rows = t.shape[0];
  const width = rows === 0 ? 0 : t.data.length / rows;
  const data = allocate(t.dtype, t.data.length);
  for (let r = 0; r < rows; r++) data.set(t.data.subarray((rows - 1 - r) * width, (rows - r) * width), r * width);
  return { dtype: t.dtype, shape: [...t.shape], data };
}

/** The views usable for an operand of `shape` (transpose and flip need an axis). */
export function viewsFor(shape: readonly number[]): OperandView[] {
  return OPERAND_VIEWS.filter((v) => (v === 'transpose' ? shape.length >= 2 : v === 'flip' ? shape.length >= 1 : true));
}

/**
 * Adds Input `name` to `b` and returns a node whose values are exactly
 * `value`, reached through `view`; the data to feed under `name` is returned
 * with it.
 *
 * @example
 * ```ts
 * import { GraphBuilder, tensor } from '@sas/core';
 * const b = new GraphBuilder('float32');
 * const { node, feed } = viewedOperand(b, 'x0', tensor([1, 2, 3, 4], [2, 2], 'float32'), 'transpose');
 * feed.data; // [1, 3, 2, 4]: transposed back by the graph's Transpose node
 * ```
 */
export function viewedOperand(b: GraphBuilder, name: string, value: Tensor, view: OperandView): { node: NodeRef; feed: Tensor } {
  switch (view) {
    case 'plain':
      return { node: b.input(name, value.shape), feed: value };
    case 'transpose': {
      const feed = reversedAxes(value);
      const perm = value.shape.map((_, k) => value.shape.length - 1 - k);
      return { node: transpose(b.input(name, feed.shape), perm), feed };
    }
    case 'flip': {
      const feed = flippedRows(value);
      return { node: flip(b.input(name, feed.shape), 0), feed };
    }
    case 'scale': {
      // ×2 then ×0.5 is exact in binary floating point (no value here is near the float32 range's ends).
      const feed: Tensor = { dtype: value.dtype, shape: [...value.shape], data: value.data.map((v) => v * 2) };
      return { node: mul(b.input(name, feed.shape), 0.5), feed };
    }
    case 'reshape':
      return { node: reshape(b.input(name, [value.data.length]), value.shape), feed: { dtype: value.dtype, shape: [value.data.length], data: value.data } };
  }
}
