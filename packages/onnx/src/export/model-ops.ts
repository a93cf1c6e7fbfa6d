// The char GPT's ops (core composites) as native ONNX operators, keeping
// core's semantics exactly: ids that are not valid never address memory
// (ids.ts), layer norm centres its rows before ONNX's one-pass variance, and
// cross-entropy skips ignored rows and counts a bad target with a zero pick
// as core's kernels do. docs/onnx.md ("Model ops") has the table and the
// measurements behind each choice (bench/op-choices.mjs).

import type { Graph, GraphNode } from '@sas/core';
import type { OnnxEmitter } from './emitter.js';
import { rowIndices, validIds } from './ids.js';
import { ONNX_DTYPE } from './model-proto.js';
import type { OpExporter } from './op-map.js';

const axisAttr = (axis: number) => ({ name: 'axis', type: 'int', value: axis }) as const;
const keepDims = (keep: boolean) => ({ name: 'keepdims', type: 'int', value: keep ? 1 : 0 }) as const;
const shapeOf = (graph: Graph, node: GraphNode, i: number) => graph.nodes[node.inputs[i]].shape;

/** ReduceSum over `axes`; no axes is the identity (ONNX would reduce every axis). */
function sumOver(e: OnnxEmitter, x: string, axes: readonly number[], keep: boolean): string {
  return axes.length === 0 ? e.node('Identity', [x]) : e.node('ReduceSum', [x, e.int64s(axes)], [keepDims(keep)]);
}

/**
 * Gather: `Gather(table, rows, axis 0)` with int64 row indices. Ids that may
 * be invalid read a zero row appended to the table ([V+1, w]), as core's
 * kernels give a zero row for them.
 */
export const gatherRows: OpExporter<'Gather'> = ([table, ids], node, { e, graph }) => {
  const [rows, width] = shapeOf(graph, node, 0);
  const { indices, spare } = rowIndices(e, ids, graph, node, 1, rows);
  const source = spare ? e.node('Concat', [table, e.floats(new Float64Array(width), [1, width])], [axisAttr(0)]) : table;
  return e.node('Gather', [source, indices], [axisAttr(0)]);
};

/**
 * ScatterAdd: `ScatterND(zeros, rows[..., 1], updates, reduction 'add')`.
 * Updates at invalid ids land in a spare row past the table, sliced off
 * after: dropped, as core's kernels drop them. ScatterND beat the one-hot
 * MatMul and ScatterElements at the model's sizes (docs/onnx.md).
 */
export const scatterAddRows: OpExporter<'ScatterAdd'> = ([ids, updates], node, { e, graph }) => {
  const { rows } = node.attrs;
  const width = node.shape[1];
  const { indices, spare } = rowIndices(e, ids, graph, node, 0, rows);
  const total = spare ? rows + 1 : rows;
  const zeros = e.node('Expand', [e.floats([0], []), e.int64s([total, width])]);
  const at = e.node('Unsqueeze', [indices, e.int64s([-1])]);
  const sums = e.node('ScatterND', [zeros, at, updates], [{ name: 'reduction', type: 'string', value: 'add' }]);
  return spare ? e.node('Slice', [sums, e.int64s([0]), e.int64s([rows]), e.int64s([0])]) : sums;
};

/**
 * x minus its row means. ONNX Runtime's LayerNormalization takes the
 * variance as E[x²] − E[x]², which cancels catastrophically when the mean is
 * large against the spread (measured in float32: error 1.4e-4 at mean 100,
 * spread 0.03); on centred rows it is the two-pass variance core computes.
 */
const centred = (e: OnnxEmitter, x: string) => e.memo(`centred:${x}`, () => e.node('Sub', [x, e.node('ReduceMean', [x, e.int64s([-1])], [keepDims(true)])]));

/** LayerNormalization's attributes: last axis, eps, statistics kept in the graph's type. */
const layerNormAttrs = (e: OnnxEmitter, eps: number) =>
  [axisAttr(-1), { name: 'epsilon', type: 'float', value: eps } as const, { name: 'stash_type', type: 'int', value: e.elemType } as const] as const;

/** x̂ (the normalised rows) and rstd = 1/√(var + eps) [..., 1], from one LayerNormalization with unit scale and zero bias. */
function normalised(e: OnnxEmitter, x: string, width: number, eps: number): { xhat: string; rstd: string } {
  return e.memo(`normalised:${x}:${eps}`, () => {
    const ones = e.floats(new Float64Array(width).fill(1), [width]);
    const zeros = e.floats(new Float64Array(width), [width]);
    const [xhat, , rstd] = e.multi('LayerNormalization', [centred(e, x), ones, zeros], [true, false, true], layerNormAttrs(e, eps));
    return { xhat, rstd };
  });
}

/**
 * LayerNorm: `LayerNormalization(x − mean, weight, bias, axis −1, eps)`.
 * Exported so in float32 graphs only: ONNX stores epsilon as a 32-bit float,
 * so a float64 graph goes through core's decomposition to keep eps exact.
 */
export const layerNorm: OpExporter<'LayerNorm'> = ([x, weight, bias], node, { e }) =>
  e.node('LayerNormalization', [centred(e, x), weight, bias], layerNormAttrs(e, node.attrs.eps));

/**
 * LayerNormGrad: x̂ and rstd from LayerNormalization (shared by the x and
 * weight gradients of one layer norm), then core's formulas:
 * `dweight = Σ_rows g⊙x̂`, `dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂))`, ĝ = g⊙weight.
 * Float32 graphs only, like LayerNorm.
 */
export const layerNormGrad: OpExporter<'LayerNormGrad'> = ([x, weight, g], node, { e, graph }) => {
  const xShape = shapeOf(graph, node, 0);
  const { xhat, rstd } = normalised(e, x, xShape[xShape.length - 1], node.attrs.eps);
  if (node.attrs.wrt === 'weight') {
    return sumOver(
      e,
      e.node('Mul', [g, xhat]),
      xShape.slice(0, -1).map((_, i) => i),
      false,
    );
  }
  const gh = e.node('Mul', [g, weight]);
  const rowMean = (v: string) => e.node('ReduceMean', [v, e.int64s([-1])], [keepDims(true)]);
  const inner = e.node('Sub', [e.node('Sub', [gh, rowMean(gh)]), e.node('Mul', [xhat, rowMean(e.node('Mul', [gh, xhat]))])]);
  return e.node('Mul', [rstd, inner]);
};

/**
 * CrossEntropy: per row `max + log Σ exp(x − max)` minus the target's logit
 * (GatherElements), summed over the counted rows (Where, so an ignored row's
 * values never reach the sum) and divided by their count: 0/0 = NaN when no
 * row counts, as in core. A computed target that is neither valid nor the
 * ignore index counts with a zero pick, as core's kernels give.
 * SoftmaxCrossEntropyLoss is not used: it reads a negative target from the
 * end of the row and fails on one ≥ V.
 */
export const crossEntropy: OpExporter<'CrossEntropy'> = ([logits, targets], node, { e, graph }) => {
  const v = shapeOf(graph, node, 0).at(-1)!;
  const n = shapeOf(graph, node, 1).reduce((a, d) => a * d, 1);
  const rows = e.node('Reshape', [logits, e.int64s([n, v])]);
  const t = e.node('Reshape', [targets, e.int64s([n])]);
  const max = e.node('ReduceMax', [rows, e.int64s([1])], [keepDims(true)]);
  const sumExp = e.node('ReduceSum', [e.node('Exp', [e.node('Sub', [rows, max])]), e.int64s([1])], [keepDims(false)]);
  const logSumExp = e.node('Add', [e.node('Log', [sumExp]), e.node('Reshape', [max, e.int64s([n])])]);
  const valid = validIds(e, t, v);
  const at = e.node('Cast', [e.node('Where', [valid, t, e.floats([0], [])])], [{ name: 'to', type: 'int', value: ONNX_DTYPE.INT64 }]);
  const picked = e.node('Reshape', [e.node('GatherElements', [rows, e.node('Unsqueeze', [at, e.int64s([1])])], [axisAttr(1)]), e.int64s([n])]);
  const pick = e.node('Where', [valid, picked, e.floats([0], [])]);
  const counted = e.node('Not', [e.node('Equal', [t, e.floats([node.attrs.ignoreIndex], [])])]);
  const perRow = e.node('Where', [counted, e.node('Sub', [logSumExp, pick]), e.floats([0], [])]);
  const count = e.node('ReduceSum', [e.node('Cast', [counted], [{ name: 'to', type: 'int', value: e.elemType }]), e.int64s([0])], [keepDims(false)]);
  return e.node('Div', [e.node('ReduceSum', [perRow, e.int64s([0])], [keepDims(false)]), count]);
};
