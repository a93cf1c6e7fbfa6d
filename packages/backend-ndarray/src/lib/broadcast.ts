import type { FloatData } from '../handle.js';

/**
 * How a broadcasting binary op walks its operands: the output is a sequence of
 * `runs` contiguous rows of length `n`; along a row operand a advances by `sa`
 * (1, or 0 when broadcast) and b by `sb`. Axes of size 1 are dropped and
 * adjacent axes that both operands traverse contiguously are merged, so
 * `[N,D] + [D]` is N rows of D with sb = 1, and `[N,D] + []` a single row.
 */
export interface BinaryPlan {
  readonly n: number;
  readonly sa: number;
  readonly sb: number;
  /** Outer (merged) axes, outermost first, with each operand's stride along them. */
  readonly outer: readonly number[];
  readonly outerA: readonly number[];
  readonly outerB: readonly number[];
}

/** Row-major strides of `shape` aligned to the right of `outShape`, 0 where broadcast. */
function alignedStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[rank - shape.length + i] = shape[i] === 1 ? 0 : acc;
    acc *= shape[i];
  }
  return strides;
}

/**
 * Plans the traversal of `a ⊙ b` broadcast to `outShape`.
 *
 * @example
 * ```ts
 * import { planBinary } from './broadcast.js';
 * planBinary([4, 8], [8], [4, 8]); // { n: 8, sa: 1, sb: 1, outer: [4], outerA: [8], outerB: [0] }
 * ```
 */
export function planBinary(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): BinaryPlan {
  const as = alignedStrides(aShape, outShape);
  const bs = alignedStrides(bShape, outShape);
  const dims: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const last = dims.length - 1;
    // Merge into the previous axis when both operands step through the pair as one run.
    if (last >= 0 && sa[last] === as[i] * outShape[i] && sb[last] === bs[i] * outShape[i]) {
      dims[last] *= outShape[i];
      sa[last] = as[i];
      sb[last] = bs[i];
    } else {
      dims.push(outShape[i]);
      sa.push(as[i]);
      sb.push(bs[i]);
    }
  }
  if (dims.length === 0) return { n: 1, sa: 0, sb: 0, outer: [], outerA: [], outerB: [] };
  const last = dims.length - 1;
  return { n: dims[last], sa: sa[last], sb: sb[last], outer: dims.slice(0, last), outerA: sa.slice(0, last), outerB: sb.slice(0, last) };
}

/** One output row of a binary op: `out[oi + j] = f(a[ai + j·sa], b[bi + j·sb])` for j < n. */
export type RowFn = (out: FloatData, a: FloatData, b: FloatData, oi: number, ai: number, bi: number, n: number, sa: number, sb: number) => void;

/**
 * Runs `row` over every row of `plan`; the per-row call is the only indirection,
 * the element loops live inside `row`.
 *
 * @example
 * ```ts
 * import { planBinary, runBinary } from './broadcast.js';
 * const out = new Float32Array(4);
 * runBinary(planBinary([2, 2], [2], [2, 2]), out, Float32Array.of(1, 2, 3, 4), Float32Array.of(10, 20), (o, a, b, oi, ai, bi, n, sa, sb) => {
 *   for (let j = 0; j < n; j++) o[oi + j] = a[ai + j * sa] + b[bi + j * sb];
 * }); // out = [11, 22, 13, 24]
 * ```
 */
export function runBinary(plan: BinaryPlan, out: FloatData, a: FloatData, b: FloatData, row: RowFn): void {
  const { n, sa, sb, outer, outerA, outerB } = plan;
  const rank = outer.length;
  let runs = 1;
  for (const d of outer) runs *= d;
  if (n === 0 || runs === 0) return;
  if (rank === 0) {
    row(out, a, b, 0, 0, 0, n, sa, sb);
    return;
  }
  if (rank === 1) {
    const da = outerA[0];
    const db = outerB[0];
    for (let r = 0; r < runs; r++) row(out, a, b, r * n, r * da, r * db, n, sa, sb);
    return;
  }
  const counter = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let r = 0; r < runs; r++) {
    row(out, a, b, r * n, ai, bi, n, sa, sb);
    for (let axis = rank - 1; axis >= 0; axis--) {
      ai += outerA[axis];
      bi += outerB[axis];
      if (++counter[axis] < outer[axis]) break;
      ai -= outerA[axis] * outer[axis];
      bi -= outerB[axis] * outer[axis];
      counter[axis] = 0;
    }
  }
}
