import type { Attrs } from '../ir/types.js';
import { sizeOf } from '../tensor.js';
import { canonicalAttrs } from './attrs.js';
import type { OpDef, RefTensor } from './op.js';

/**
 * Evaluates one primitive `op` on float64 tensors: how a composite op's
 * readable definition is written in terms of the primitives' own oracles.
 *
 * @example
 * ```ts
 * import { evalOp } from './compose.js';
 * import { Exp } from './Exp.js';
 * evalOp(Exp, [{ shape: [1], data: Float64Array.of(0) }]).data; // [1]
 * ```
 */
export function evalOp<N extends string, A extends Attrs>(op: OpDef<N, A>, inputs: readonly RefTensor[], attrs: A = {} as A): RefTensor {
  const types = inputs.map((t) => ({ shape: t.shape, dtype: 'float64' as const }));
  // Written with negative axes (`[-1]`) like the graph code; canonical as a graph node would be.
  const canonical = canonicalAttrs(op.name, op.attrs, attrs, types);
  const shape = op.inferShape(types, canonical);
  return { shape, data: op.evaluate(inputs, canonical, shape) };
}

/** A float64 scalar tensor. */
export const scalarRef = (x: number): RefTensor => ({ shape: [], data: Float64Array.of(x) });

/**
 * Sums `t` over its broadcast axes down to `shape` (the VJP of numpy
 * broadcasting, on values).
 *
 * @example
 * ```ts
 * import { sumToShape } from './compose.js';
 * sumToShape({ shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) }, [1, 2]).data; // [4, 6]
 * ```
 */
export function sumToShape(t: RefTensor, shape: readonly number[]): RefTensor {
  const out = new Float64Array(sizeOf(shape));
  const rank = t.shape.length;
  const lead = rank - shape.length;
  // Stride of each axis of t into `out` (0 where `out` is broadcast along it).
  const strides = new Array<number>(rank).fill(0);
  for (let i = rank - 1, acc = 1; i >= lead; i--) {
    const d = shape[i - lead];
    strides[i] = d === 1 && t.shape[i] !== 1 ? 0 : acc;
    acc *= d;
  }
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < t.data.length; i++) {
    out[off] += t.data[i];
    for (let axis = rank - 1; axis >= 0; axis--) {
      off += strides[axis];
      if (++counter[axis] < t.shape[axis]) break;
      off -= strides[axis] * t.shape[axis];
      counter[axis] = 0;
    }
  }
  return { shape: [...shape], data: out };
}
