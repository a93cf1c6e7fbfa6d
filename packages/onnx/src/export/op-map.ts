// Each core op as standard ONNX operators (default domain, opset ONNX_OPSET).
// Shapes are static, so shape-like operands (Reshape/Expand shapes, reduction
// axes, slice bounds, the causal mask) become constant initializers.
// docs/onnx.md tabulates this mapping.

import { SasError, type GraphNode } from '@sas/core';
import type { OnnxEmitter } from './emitter.js';

/** The ONNX opset the exporter targets: ReduceMax takes `axes` as an input from 18 on. */
export const ONNX_OPSET = 18;
/** The IR version that goes with opset 18 (ONNX 1.13). */
export const ONNX_IR_VERSION = 8;

/**
 * Writes one core node as ONNX nodes. `inputs` are the ONNX value names of the
 * node's inputs; returns the ONNX value name that holds the node's result.
 */
export type OpExporter = (e: OnnxEmitter, inputs: readonly string[], node: GraphNode, inputNodes: readonly GraphNode[]) => string;

const direct =
  (opType: string): OpExporter =>
  (e, inputs) =>
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
const reduceSum: OpExporter = (e, [x], node) => {
  const axes = node.attrs.axes as readonly number[];
  if (axes.length === 0) return e.node('Identity', [x]);
  return e.node('ReduceSum', [x, e.int64s(axes)], [{ name: 'keepdims', type: 'int', value: node.attrs.keepDims ? 1 : 0 }]);
};

const conv1dAsConv: OpExporter = (e, [x, w], node, [, nw]) => {
  const pad = node.attrs.pad as number;
  return e.node(
    'Conv',
    [x, w],
    [
      { name: 'kernel_shape', type: 'ints', value: [nw.shape[2]] },
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
const conv1dAsMatMul: OpExporter = (e, [x, w], node, [nx, nw]) => {
  const pad = node.attrs.pad as number;
  const [n, c] = nx.shape;
  const [o, , k] = nw.shape;
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
const reduceMax: OpExporter = (e, [x], node) => {
  const axes = node.attrs.axes as readonly number[];
  if (axes.length === 0) return e.node('Identity', [x]);
  const keepdims = { name: 'keepdims', type: 'int', value: node.attrs.keepDims ? 1 : 0 } as const;
  const axesName = e.int64s(axes);
  const max = e.node('ReduceMax', [x, axesName], [keepdims]);
  const anyNaN = e.node('ReduceMax', [toFloat(e, e.node('IsNaN', [x])), axesName], [keepdims]);
  return e.node('Where', [e.node('Greater', [anyNaN, e.floats([0], [])]), e.floats([NaN], []), max]);
};

/** Every core op → its ONNX form. */
export const ONNX_EXPORTERS: Readonly<Record<string, OpExporter>> = {
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
  Equal: (e, inputs) => toFloat(e, e.node('Equal', inputs)),
  // x > 0 → 1, else 0; NaN stays NaN as in the core definition (Greater is false for NaN).
  Step: (e, [x]) => e.node('Where', [e.node('IsNaN', [x]), x, toFloat(e, e.node('Greater', [x, e.floats([0], [])]))]),
  MatMul: (e, [a, b], node, [na, nb]) => {
    const t = (x: string, rank: number) => e.node('Transpose', [x], [{ name: 'perm', type: 'ints', value: swapLastTwo(rank) }]);
    const lhs = node.attrs.transposeA ? t(a, na.shape.length) : a;
    const rhs = node.attrs.transposeB ? t(b, nb.shape.length) : b;
    return e.node('MatMul', [lhs, rhs]);
  },
  // Cross-correlation on [N,C,L] with symmetric zero padding: ONNX Conv (no bias)
  // in float32; in float64 an im2col MatMul, because ONNX Runtime's CPU provider
  // has no double Conv kernel (the ONNX spec allows one; see docs/onnx.md).
  Conv1d: (e, inputs, node, inputNodes) => (e.convAsMatMul ? conv1dAsMatMul(e, inputs, node, inputNodes) : conv1dAsConv(e, inputs, node, inputNodes)),
  ReduceSum: reduceSum,
  ReduceMax: reduceMax,
  Softmax: (e, [x]) => e.node('Softmax', [x], [{ name: 'axis', type: 'int', value: -1 }]),
  // A constant [Tq,Tk] boolean mask, true above the bottom-right-aligned diagonal; Where broadcasts it.
  CausalMask: (e, [x], node) => {
    const [tq, tk] = node.shape.slice(-2);
    const mask = new Uint8Array(tq * tk);
    for (let i = 0; i < tq; i++) for (let j = 0; j < tk; j++) mask[i * tk + j] = j > i + (tk - tq) ? 1 : 0;
    const fill = node.attrs.fill === 'zero' ? 0 : -Infinity;
    return e.node('Where', [e.bools(mask, [tq, tk]), e.floats([fill], []), x]);
  },
  // allowzero = 1: a 0 in the target shape means an empty axis, not "copy the input's dim".
  Reshape: (e, [x], node) =>
    e.node('Reshape', [x, e.int64s(node.attrs.shape as readonly number[])], node.shape.includes(0) ? [{ name: 'allowzero', type: 'int', value: 1 }] : []),
  Transpose: (e, [x], node) => e.node('Transpose', [x], [{ name: 'perm', type: 'ints', value: node.attrs.perm as readonly number[] }]),
  BroadcastTo: (e, [x], node) => e.node('Expand', [x, e.int64s(node.attrs.shape as readonly number[])]),
  // A reversed slice: start at the last element, step −1, stop before index 0 (end −n−1 clamps to −1).
  Flip: (e, [x], node) => {
    const rank = node.shape.length;
    const axis = (node.attrs.axis as number) < 0 ? (node.attrs.axis as number) + rank : (node.attrs.axis as number);
    const n = node.shape[axis];
    return e.node('Slice', [x, e.int64s([-1]), e.int64s([-n - 1]), e.int64s([axis]), e.int64s([-1])]);
  },
};

/**
 * True when `op` has a direct ONNX mapping; composite ops (Attention,
 * AttentionGrad) have none and are exported through their decomposition.
 *
 * @example
 * ```ts
 * import { hasOnnxMapping } from './op-map.js';
 * hasOnnxMapping('MatMul'); // true
 * hasOnnxMapping('Attention'); // false
 * ```
 */
export function hasOnnxMapping(op: string): boolean {
  return Object.hasOwn(ONNX_EXPORTERS, op);
}

/**
 * The exporter for `op`, or an `E_BACKEND` error naming it.
 *
 * @example
 * ```ts
 * import { exporterFor, OnnxEmitter } from '@sas/onnx';
 * const e = new OnnxEmitter('float32', new Set(['x']));
 * const node = { id: 1, op: 'Exp', inputs: [0], attrs: {}, shape: [3], dtype: 'float32' } as const;
 * exporterFor('Exp')(e, ['x'], node, []); // a fresh value name; e.nodes holds one Exp node
 * ```
 */
export function exporterFor(op: string): OpExporter {
  const f = hasOnnxMapping(op) ? ONNX_EXPORTERS[op] : undefined;
  if (!f) throw new SasError('E_BACKEND', `exportOnnx: no ONNX mapping for op '${op}' (mapped: ${Object.keys(ONNX_EXPORTERS).join(', ')})`);
  return f;
}
