// Integer ids held in float values (Gather, ScatterAdd, CrossEntropy) as ONNX
// int64 indices that can never address outside their tensor. ONNX Runtime's
// Gather and ScatterND refuse an index ≥ the axis size with a run-time error,
// and read a negative one from the end; Cast truncates 2.5 to 2. Core's
// kernels instead treat any id that is not an integer in [0, rows) as
// "no row" (a zero row read, an update dropped), so the export maps such an
// id to a spare row past the end that the tensor is given for the purpose.

import { constantValues, type Graph, type GraphNode } from '@sas/core';
import type { OnnxEmitter } from './emitter.js';
import { ONNX_DTYPE } from './model-proto.js';

/**
 * An ONNX boolean value: true where `ids` holds an integer in [0, rows)
 * (false for NaN, ±Inf, fractions). Built once per ids value and row count.
 *
 * @example
 * ```ts
 * import { OnnxEmitter } from './emitter.js';
 * import { validIds } from './ids.js';
 * const e = new OnnxEmitter('float32', new Set(['ids']));
 * validIds(e, 'ids', 84) === validIds(e, 'ids', 84); // true: the second call reuses the nodes
 * ```
 */
export function validIds(e: OnnxEmitter, ids: string, rows: number): string {
  return e.memo(`valid-ids:${ids}:${rows}`, () => {
    const inRange = e.node('And', [e.node('GreaterOrEqual', [ids, e.floats([0], [])]), e.node('Less', [ids, e.floats([rows], [])])]);
    return e.node('And', [inRange, e.node('Equal', [e.node('Floor', [ids]), ids])]);
  });
}

/** A valid id as a row index, any other value as `rows` (the spare row); the same rule as `validIds`. */
const rowOrSpare = (v: number, rows: number) => (Number.isInteger(v) && v >= 0 && v < rows ? v : rows);

/** The row indices of ids and whether the spare row at index `rows` is needed. */
export interface RowIndices {
  /** int64 indices shaped like the ids. */
  readonly indices: string;
  /** False when every id is known valid at export time (constant ids in range). */
  readonly spare: boolean;
}

/**
 * int64 row indices for the ids feeding input `i` of `node`: each valid id as
 * itself, anything else as `rows`. Constant ids (the model's positions) are
 * resolved at export time into an int64 initializer, with no spare row when
 * all are valid; others get `Where(validIds, ids, rows)` cast to int64.
 *
 * @example
 * ```ts
 * import { GraphBuilder, gather } from '@sas/core';
 * import { OnnxEmitter } from './emitter.js';
 * import { rowIndices } from './ids.js';
 * const b = new GraphBuilder();
 * b.output('y', gather(b.param('t', [5, 2]), b.input('ids', [3])));
 * const graph = b.build();
 * const e = new OnnxEmitter('float32', new Set(['t', 'ids']));
 * rowIndices(e, 'ids', graph, graph.nodes[2], 1, 5).spare; // true: fed ids may be anything
 * ```
 */
export function rowIndices(e: OnnxEmitter, ids: string, graph: Graph, node: GraphNode, i: number, rows: number): RowIndices {
  const source = graph.nodes[node.inputs[i]];
  if (source.op === 'Constant') {
    const values = constantValues(source).map((v) => rowOrSpare(v, rows));
    return { indices: e.int64s(values, source.shape), spare: values.includes(rows) };
  }
  const indices = e.memo(`row-indices:${ids}:${rows}`, () =>
    e.node('Cast', [e.node('Where', [validIds(e, ids, rows), ids, e.floats([rows], [])])], [{ name: 'to', type: 'int', value: ONNX_DTYPE.INT64 }]),
  );
  return { indices, spare: true };
}
