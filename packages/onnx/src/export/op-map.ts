// Each core op as standard ONNX operators (default domain, opset ONNX_OPSET).
// Shapes are static, so shape-like operands (Reshape/Expand shapes, reduction
// axes, slice bounds, the causal mask) become constant initializers.
// docs/onnx.md tabulates this mapping.

import { kernelFor, SasError, type DType, type Graph, type GraphNode, type KernelFn, type KernelTable, type OpName } from '@sas/core';
import type { OnnxEmitter } from './emitter.js';
import { crossEntropy, gatherRows, layerNorm, layerNormGrad, scatterAddRows } from './model-ops.js';

/** The ONNX opset the exporter targets: ReduceMax takes `axes` as an input from 18 on. */
export const ONNX_OPSET = 18;
/** The IR version that goes with opset 18 (ONNX 1.13). */
export const ONNX_IR_VERSION = 8;

/** What every exporter is handed: the emitter writing the model, and the graph being exported. */
export interface ExportContext {
  readonly e: OnnxEmitter;
  readonly graph: Graph;
}

/**
 * Writes one core node of op `N` as ONNX nodes: core's kernel signature,
 * with ONNX value names as handles. `inputs` are the value names of the
 * node's inputs; returns the value name that holds the node's result.
 */
export type OpExporter<N extends OpName> = KernelFn<string, ExportContext, N>;

/** The shape of the node feeding input `i` of `node`. */
const inputShape = (graph: Graph, node: GraphNode, i: number) => graph.nodes[node.inputs[i]].shape;

const direct =
  <N extends OpName>(opType: string): OpExporter<N> =>
  (inputs, _node, { e }) =>
    e.node(opType, inputs);

/** The permutation that swaps the last two axes of a rank-`rank` value. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Cast to the graph's float type (ONNX comparisons give booleans). */
const toFloat = (e: OnnxEmitter, x: string) => e.node('Cast', [x], [{ name: 'to', type: 'int', value: e.elemType }]);

/** ReduceSum with `axes` as an input; no axes is the identity (ONNX would reduce everything). */
const reduceSum: OpExporter<'ReduceSum'> = ([x], node, { e }) => {
  const { axes } = node.attrs;
  if (axes.length === 0) return e.node('Identity', [x]);
  return e.node('ReduceSum', [x, e.int64s(axes)], [{ name: 'keepdims', type: 'int', value: node.attrs.keepDims ? 1 : 0 }]);
};

const conv1dAsConv: OpExporter<'Conv1d'> = ([x, w], node, { e, graph }) => {
  const { pad } = node.attrs;
  return e.node(
    'Conv',
    [x, w],
    [
      { name: 'kernel_shape', type: 'ints', value: [inputShape(graph, node, 1)[2]] },
      { name: 'pads', type: 'ints', value: [pad, pad] },
      { name: 'strides', type: 'ints', value: [1] },
      { name: 'dilations', type: 'ints', value: [1] },
      { name: 'group', type: 'int', value: 1 },
    ],
  );
};

/**
 * y = W [O, C·k] · cols [N, C·k, Lout], where cols stacks the k shifted
 * windows of the zero-padded x: cols[n, c·k + t, j] = xpad[n, c, j + t].
 */
const conv1dAsMatMul: OpExporter<'Conv1d'> = ([x, w], node, { e, graph }) => {
  const { pad } = node.attrs;
  const [n, c] = inputShape(graph, node, 0);
  const [o, , k] = inputShape(graph, node, 1);
  const outLen = node.shape[2];
  const padded = pad > 0 ? e.node('Pad', [x, e.int64s([0, 0, pad, 0, 0, pad])]) : x;
  const windows = Array.from({ length: k }, (_, t) =>
    e.node('Reshape', [e.node('Slice', [padded, e.int64s([t]), e.int64s([t + outLen]), e.int64s([2])]), e.int64s([n, c, 1, outLen])]),
  );
  const stacked = k === 1 ? windows[0] : e.node('Concat', windows, [{ name: 'axis', type: 'int', value: 2 }]);
  const cols = e.node('Reshape', [stacked, e.int64s([n, c * k, outLen])]);
  return e.node('MatMul', [e.node('Reshape', [w, e.int64s([o, c * k])]), cols]);
};

/**
 * ReduceMax with NaN propagating, as the core defines it: ONNX Runtime's double
 * kernel skips NaN, so a reduced slice holding one is set to NaN explicitly.
 */
const reduceMax: OpExporter<'ReduceMax'> = ([x], node, { e }) => {
  const { axes } = node.attrs;
  if (axes.length === 0) return e.node('Identity', [x]);
  const keepdims = { name: 'keepdims', type: 'int', value: node.attrs.keepDims ? 1 : 0 } as const;
  const axesName = e.int64s(axes);
  const max = e.node('ReduceMax', [x, axesName], [keepdims]);
  const anyNaN = e.node('ReduceMax', [toFloat(e, e.node('IsNaN', [x])), axesName], [keepdims]);
  return e.node('Where', [e.node('Greater', [anyNaN, e.floats([0], [])]), e.floats([NaN], []), max]);
};

/**
 * Every primitive core op → its ONNX form, and the model's composites that
 * have a native ONNX operator (model-ops.ts); the attention composites go
 * through their decompositions. `satisfies KernelTable`: a primitive op of
 * core without an exporter here is a compile error.
 */
export const ONNX_EXPORTERS = {
  Add: direct('Add'),
  Sub: direct('Sub'),
  Mul: direct('Mul'),
  Div: direct('Div'),
  Neg: direct('Neg'),
  Exp: direct('Exp'),
  Log: direct('Log'),
  Sqrt: direct('Sqrt'),
  Relu: direct('Relu'),
  // ONNX Equal gives booleans; the core wants 1/0 in the float type.
  Equal: (inputs, _node, { e }) => toFloat(e, e.node('Equal', inputs)),
  // x > 0 → 1, else 0; NaN stays NaN as in the core definition (Greater is false for NaN).
  Step: ([x], _node, { e }) => e.node('Where', [e.node('IsNaN', [x]), x, toFloat(e, e.node('Greater', [x, e.floats([0], [])]))]),
  MatMul: ([a, b], node, { e, graph }) => {
    const t = (x: string, rank: number) => e.node('Transpose', [x], [{ name: 'perm', type: 'ints', value: swapLastTwo(rank) }]);
    const lhs = node.attrs.transposeA ? t(a, inputShape(graph, node, 0).length) : a;
    const rhs = node.attrs.transposeB ? t(b, inputShape(graph, node, 1).length) : b;
    return e.node('MatMul', [lhs, rhs]);
  },
  // Cross-correlation on [N,C,L] with symmetric zero padding: ONNX Conv (no bias)
  // in float32; in float64 an im2col MatMul, because ONNX Runtime's CPU provider
  // has no double Conv kernel (the ONNX spec allows one; see docs/onnx.md).
  Conv1d: (inputs, node, ctx) => (ctx.e.convAsMatMul ? conv1dAsMatMul(inputs, node, ctx) : conv1dAsConv(inputs, node, ctx)),
  ReduceSum: reduceSum,
  ReduceMax: reduceMax,
  Softmax: ([x], _node, { e }) => e.node('Softmax', [x], [{ name: 'axis', type: 'int', value: -1 }]),
  // A constant [Tq,Tk] boolean mask, true above the bottom-right-aligned diagonal; Where broadcasts it.
  CausalMask: ([x], node, { e }) => {
    const [tq, tk] = node.shape.slice(-2);
    const mask = new Uint8Array(tq * tk);
    for (let i = 0; i < tq; i++) for (let j = 0; j < tk; j++) mask[i * tk + j] = j > i + (tk - tq) ? 1 : 0;
    const fill = node.attrs.fill === 'zero' ? 0 : -Infinity;
    return e.node('Where', [e.bools(mask, [tq, tk]), e.floats([fill], []), x]);
  },
  // allowzero = 1: a 0 in the target shape means an empty axis, not "copy the input's dim".
  Reshape: ([x], node, { e }) =>
    e.node('Reshape', [x, e.int64s(node.attrs.shape)], node.shape.includes(0) ? [{ name: 'allowzero', type: 'int', value: 1 }] : []),
  Transpose: ([x], node, { e }) => e.node('Transpose', [x], [{ name: 'perm', type: 'ints', value: node.attrs.perm }]),
  BroadcastTo: ([x], node, { e }) => e.node('Expand', [x, e.int64s(node.attrs.shape)]),
  // A reversed slice: start at the last element, step −1, stop before index 0 (end −n−1 clamps to −1).
  Flip: ([x], node, { e }) => {
    const { axis } = node.attrs;
    const n = node.shape[axis];
    return e.node('Slice', [x, e.int64s([-1]), e.int64s([-n - 1]), e.int64s([axis]), e.int64s([-1])]);
  },
  // The model's composites (model-ops.ts); Attention and AttentionGrad have no ONNX operator.
  Gather: gatherRows,
  ScatterAdd: scatterAddRows,
  LayerNorm: layerNorm,
  LayerNormGrad: layerNormGrad,
  Tanh: direct('Tanh'),
  CrossEntropy: crossEntropy,
} satisfies KernelTable<string, ExportContext>;

/**
 * Composite ops exported natively in float32 graphs only. LayerNormalization's
 * epsilon is a 32-bit float attribute: in a float64 graph core's decomposition
 * keeps eps exact (1e-5 as a float32 is 1e-5 − 2.5e-13).
 */
const FLOAT32_ONLY: ReadonlySet<string> = new Set<OpName>(['LayerNorm', 'LayerNormGrad']);

/**
 * True when `op` is exported as ONNX operators of its own in a graph of
 * `dtype`; any other op goes through its decomposition (Attention,
 * AttentionGrad; LayerNorm and LayerNormGrad in float64).
 *
 * @example
 * ```ts
 * import { hasOnnxMapping } from '@sas/onnx';
 * hasOnnxMapping('MatMul', 'float32'); // true
 * hasOnnxMapping('Attention', 'float32'); // false
 * hasOnnxMapping('LayerNorm', 'float64'); // false: eps would be rounded to float32
 * ```
 */
export function hasOnnxMapping(op: string, dtype: DType): boolean {
  return kernelFor(ONNX_EXPORTERS, op) !== undefined && !(dtype === 'float64' && FLOAT32_ONLY.has(op));
}

/**
 * The exporter for `op`, or an `E_BACKEND` error naming it.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp } from '@sas/core';
 * import { exporterFor, OnnxEmitter } from '@sas/onnx';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [3])));
 * const graph = b.build();
 * const e = new OnnxEmitter('float32', new Set(['x']));
 * exporterFor('Exp')(['x'], graph.nodes[1], { e, graph }); // a fresh value name; e.nodes holds one Exp node
 * ```
 */
export function exporterFor(op: string): (inputs: readonly string[], node: GraphNode, ctx: ExportContext) => string {
  const f = kernelFor(ONNX_EXPORTERS, op);
  if (!f) throw new SasError('E_BACKEND', `exportOnnx: no ONNX mapping for op '${op}' (mapped: ${Object.keys(ONNX_EXPORTERS).join(', ')})`);
  return f;
}
