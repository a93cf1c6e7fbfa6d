// The worked example of docs/embedding.md: a complete third-party backend in
// one file, written only against @sas/core's public API. Handles are plain
// Float64Arrays. It has a kernel for every primitive op (the compiler checks
// that) and none for the composite ones (Attention, AttentionGrad), so
// createKernelBackend lowers those into the primitives here.
import {
  castTensor,
  createKernelBackend,
  forEachBroadcast,
  sizeOf,
  stridesOf,
  SasError,
  type Backend,
  type BackendProvider,
  type GraphContext,
  type GraphNode,
  type KernelFn,
  type KernelTable,
  type OpName,
} from '@sas/core';

/** A backend handle: a row-major float64 buffer and its shape. Never mutated, so views may share data. */
interface Buf {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** A kernel of op `N` over these buffers. */
type TinyKernel<N extends OpName> = KernelFn<Buf, GraphContext, N>;

const result = (node: GraphNode, data: Float64Array): Buf => ({ shape: node.shape, data });

const unary =
  <N extends OpName>(f: (x: number) => number): TinyKernel<N> =>
  ([x], node) =>
    result(node, x.data.map(f));

const binary =
  <N extends OpName>(f: (a: number, b: number) => number): TinyKernel<N> =>
  ([a, b], node) => {
    const y = new Float64Array(sizeOf(node.shape));
    forEachBroadcast(node.shape, [a.shape, b.shape], (i, [ia, ib]) => (y[i] = f(a.data[ia], b.data[ib])));
    return result(node, y);
  };

// Walk the input once; the output shape with reduced axes set to 1 broadcasts
// onto the input, so its broadcast offset is exactly the output index.
// Axes arrive canonical: non-negative and sorted.
const reduce =
  <N extends 'ReduceSum' | 'ReduceMax'>(init: number, f: (acc: number, v: number) => number): TinyKernel<N> =>
  ([x], node) => {
    const axes: readonly number[] = node.attrs.axes;
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const y = new Float64Array(sizeOf(kept)).fill(init);
    forEachBroadcast(x.shape, [kept], (i, [o]) => (y[o] = f(y[o], x.data[i])));
    return result(node, y);
  };

/** Visits every output index with the input offset given per-axis input strides. */
function gather(node: GraphNode, x: Buf, strides: readonly number[], base: number): Buf {
  const y = new Float64Array(sizeOf(node.shape));
  const rank = node.shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0, off = base; i < y.length; i++) {
    y[i] = x.data[off];
    for (let ax = rank - 1; ax >= 0; ax--) {
      off += strides[ax];
      if (++idx[ax] < node.shape[ax]) break;
      off -= strides[ax] * node.shape[ax];
      idx[ax] = 0;
    }
  }
  return result(node, y);
}

const kernels = {
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b),
  Equal: binary((a, b) => (a === b ? 1 : 0)),
  Neg: unary((x) => -x),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Relu: unary((x) => (x < 0 ? 0 : x)),
  Step: unary((x) => (x > 0 ? 1 : x <= 0 ? 0 : NaN)),
  ReduceSum: reduce(0, (acc, v) => acc + v),
  ReduceMax: reduce(-Infinity, (acc, v) => (v > acc || Number.isNaN(v) ? v : acc)),
  // Row by row over the last axis, the maximum subtracted first.
  Softmax: ([x], node) => {
    const n = x.shape[x.shape.length - 1];
    const y = new Float64Array(x.data.length);
    for (let row = 0; row < y.length; row += n) {
      const max = Math.max(...x.data.subarray(row, row + n));
      let sum = 0;
      for (let j = 0; j < n; j++) sum += y[row + j] = Math.exp(x.data[row + j] - max);
      for (let j = 0; j < n; j++) y[row + j] /= sum;
    }
    return result(node, y);
  },
  Reshape: ([x], node) => result(node, x.data),
  BroadcastTo: ([x], node) => {
    const y = new Float64Array(sizeOf(node.shape));
    forEachBroadcast(node.shape, [x.shape], (i, [j]) => (y[i] = x.data[j]));
    return result(node, y);
  },
  Transpose: ([x], node) => {
    const s = stridesOf(x.shape);
    return gather(
      node,
      x,
      node.attrs.perm.map((p) => s[p]),
      0,
    );
  },
  Flip: ([x], node) => {
    const a = node.attrs.axis; // canonical: non-negative
    const s = stridesOf(x.shape);
    return gather(
      node,
      x,
      s.map((st, i) => (i === a ? -st : st)),
      (x.shape[a] - 1) * s[a],
    );
  },
  CausalMask: ([x], node) => {
    const [tq, tk] = x.shape.slice(-2);
    const fill = node.attrs.fill === 'zero' ? 0 : -Infinity;
    const y = x.data.slice();
    for (let i = 0; i < y.length; i++) if (i % tk > (Math.floor(i / tk) % tq) + (tk - tq)) y[i] = fill;
    return result(node, y);
  },
  MatMul: ([a, b], node) => {
    const { transposeA, transposeB } = node.attrs;
    const [m, n] = node.shape.slice(-2);
    const k = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const [aRow, aCol] = transposeA ? [1, m] : [k, 1];
    const [bRow, bCol] = transposeB ? [1, k] : [n, 1];
    const y = new Float64Array(sizeOf(node.shape));
    forEachBroadcast(node.shape.slice(0, -2), [a.shape.slice(0, -2), b.shape.slice(0, -2)], (batch, [ia, ib]) => {
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a.data[ia * m * k + i * aRow + p * aCol] * b.data[ib * k * n + p * bRow + j * bCol];
          y[batch * m * n + i * n + j] = s;
        }
    });
    return result(node, y);
  },
  Conv1d: ([x, w], node) => {
    const [batch, c, l] = x.shape;
    const [o, , k] = w.shape;
    const { pad } = node.attrs;
    const len = node.shape[2];
    const y = new Float64Array(batch * o * len);
    for (let b = 0; b < batch; b++)
      for (let oc = 0; oc < o; oc++)
        for (let j = 0; j < len; j++) {
          let s = 0;
          for (let ic = 0; ic < c; ic++)
            for (let t = Math.max(0, pad - j); t < Math.min(k, l + pad - j); t++) s += w.data[(oc * c + ic) * k + t] * x.data[(b * c + ic) * l + j + t - pad];
          y[(b * o + oc) * len + j] = s;
        }
    return result(node, y);
  },
} satisfies KernelTable<Buf, GraphContext>;

/**
 * Creates the tiny backend: a float64 kernel for every primitive op, the
 * composite ops (Attention, AttentionGrad) through their decompositions.
 *
 * @example
 * ```ts
 * import { GraphBuilder, softmax, tensor } from '@sas/core';
 * import { createTinyBackend } from './tiny-backend.js';
 * const b = new GraphBuilder('float64');
 * b.output('p', softmax(b.input('x', [3])));
 * (await createTinyBackend().run(b.build(), { x: tensor([1, 2, 3], [3]) })).p.data; // [0.090, 0.245, 0.665]
 * ```
 */
export function createTinyBackend(): Backend {
  return createKernelBackend<Buf, GraphContext>({
    name: 'tiny',
    mode: 'float64',
    dtypes: ['float64', 'float32'],
    kernels,
    context: (graph) => ({ graph }),
    upload: (t) => ({ shape: t.shape, data: Float64Array.from(t.data) }),
    download: (h, node) => castTensor({ dtype: 'float64', shape: h.shape, data: h.data }, node.dtype),
    release: () => {}, // garbage-collected arrays: nothing to free
  });
}

/** How the tiny backend presents itself to the conformance suite. */
export const tinyProvider: BackendProvider = {
  name: 'tiny',
  modes: ['float64'],
  description: 'worked example: plain Float64Array kernels, composite ops by decomposition',
  tolerance: () => ({ atol: 1e-9, rtol: 1e-9, gradAtol: 1e-8, gradRtol: 1e-8 }),
  create: async (options) => {
    if (options?.mode !== undefined && options.mode !== 'float64')
      throw new SasError('E_BACKEND', `backend 'tiny' has one mode, 'float64'; got '${options.mode}'`);
    return createTinyBackend();
  },
};
