import type { NdKernel } from '../deferred.js';
import { alloc, type FloatData } from '../handle.js';
import { transpose2d } from '../lib/transpose2d.js';

/** Input dims and permutation with size-1 axes dropped and axes that stay neighbours merged. */
function simplify(shape: readonly number[], perm: readonly number[]): { dims: number[]; perm: number[] } {
  const keep = shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const rank = new Map(keep.map((axis, i) => [axis, i]));
  let p = perm.filter((axis) => shape[axis] !== 1).map((axis) => rank.get(axis)!);
  let dims = keep.map((axis) => shape[axis]);
  // Merge input axes a, a+1 that also follow each other in the output.
  for (let i = p.length - 2; i >= 0; i--) {
    if (p[i + 1] !== p[i] + 1) continue;
    const a = p[i];
    dims = [...dims.slice(0, a), dims[a] * dims[a + 1], ...dims.slice(a + 2)];
    p = p.filter((_, j) => j !== i + 1).map((axis) => (axis > a ? axis - 1 : axis));
  }
  return { dims, perm: p };
}

/**
 * Transpose as one fast copy. After merging axes the output is walked in
 * order: when its last axis is contiguous in the input, each run is a bulk
 * copy; otherwise the two axes that swap (the input's last one and the
 * output's last one) are copied in cache-sized square tiles.
 *
 * @example
 * ```ts
 * import { Transpose } from './Transpose.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * Transpose([wrap(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3])], nodeOf('Transpose', [3, 2], { perm: [1, 0] }), { gemm: jsGemm }).data; // [1, 4, 2, 5, 3, 6]
 * ```
 */
export const Transpose: NdKernel<'Transpose'> = ([x], node) => {
  const out = alloc(node.dtype, node.shape);
  const total = out.data.length;
  if (total === 0) return out;
  const { dims, perm } = simplify(x.shape, node.attrs.perm);
  const rank = dims.length;
  if (rank <= 1 || perm.every((p, i) => p === i)) {
    out.data.set(x.data);
    return out;
  }
  const inStride = new Array<number>(rank);
  for (let i = rank - 1, acc = 1; i >= 0; acc *= dims[i], i--) inStride[i] = acc;
  const od = perm.map((p) => dims[p]);
  const is = perm.map((p) => inStride[p]);
  const os = new Array<number>(rank);
  for (let i = rank - 1, acc = 1; i >= 0; acc *= od[i], i--) os[i] = acc;
  const last = rank - 1;
  if (is[last] === 1) {
    // Contiguous runs of the last output axis.
    walk(od.slice(0, last), is.slice(0, last), os.slice(0, last), (si, di) => copyRun(x.data, si, out.data, di, od[last]));
  } else {
    const q = is.indexOf(1);
    const others = [...Array(rank).keys()].filter((i) => i !== q && i !== last);
    walk(
      others.map((i) => od[i]),
      others.map((i) => is[i]),
      others.map((i) => os[i]),
      (si, di) => transpose2d(x.data, si, is[last], od[last], od[q], out.data, di, os[q]),
    );
  }
  return out;
};

function copyRun(src: FloatData, si: number, dst: FloatData, di: number, n: number): void {
  if (n >= 32) dst.set(src.subarray(si, si + n), di);
  else for (let j = 0; j < n; j++) dst[di + j] = src[si + j];
}

/** Calls `visit(srcOffset, dstOffset)` for every index of `dims` (row-major), with per-axis strides. */
function walk(dims: readonly number[], srcStride: readonly number[], dstStride: readonly number[], visit: (si: number, di: number) => void): void {
  const rank = dims.length;
  let count = 1;
  for (const d of dims) count *= d;
  const counter = new Array<number>(rank).fill(0);
  let si = 0;
  let di = 0;
  for (let r = 0; r < count; r++) {
    visit(si, di);
    for (let axis = rank - 1; axis >= 0; axis--) {
      si += srcStride[axis];
      di += dstStride[axis];
      if (++counter[axis] < dims[axis]) break;
      si -= srcStride[axis] * dims[axis];
      di -= dstStride[axis] * dims[axis];
      counter[axis] = 0;
    }
  }
}
