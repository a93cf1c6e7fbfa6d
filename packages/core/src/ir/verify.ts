import { SasError } from '../errors.js';
import { checkName, printable } from '../names.js';
import { fmtShape, sizeOf } from '../tensor.js';
import { canonicalAttrs, checkAttrTypes } from '../ops/attrs.js';
import { findOp } from '../ops/table.js';
import { sameShape } from '../tensor.js';
import { checkIndexDomain } from './domain.js';
import { isLeaf, type Graph } from './types.js';

/**
 * Checks a graph's invariants: nodes topologically sorted with ids equal to
 * their index, every op known with the right arity, its attributes well
 * typed and in canonical form, every recorded shape equal
 * to what the op's shape rule infers, feed names unique, outputs pointing at
 * nodes. Graphs from JSON or other tools go through it before they run.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, verifyGraph } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [3])));
 * verifyGraph(b.build()); // throws SasError('E_GRAPH' | 'E_SHAPE', ...) on a bad graph
 * ```
 */
export function verifyGraph(graph: Graph): void {
  if (graph.dtype !== 'float32' && graph.dtype !== 'float64') {
    throw new SasError('E_DTYPE', `graph: dtype must be float32 or float64, got ${String(graph.dtype)}`);
  }
  if (!graph || typeof graph !== 'object' || !Array.isArray(graph.nodes) || !graph.outputs || typeof graph.outputs !== 'object') {
    throw new SasError('E_GRAPH', 'graph: expected {dtype, nodes: [...], outputs: {...}}');
  }
  const names = new Set<string>();
  graph.nodes.forEach((node, index) => {
    if (
      !node ||
      typeof node !== 'object' ||
      typeof node.op !== 'string' ||
      !Array.isArray(node.inputs) ||
      !Array.isArray(node.shape) ||
      !node.attrs ||
      typeof node.attrs !== 'object'
    ) {
      throw new SasError('E_GRAPH', `graph node ${index}: expected {id, op, inputs, attrs, shape, dtype}`);
    }
    const where = `graph node ${index} (${node.op})`;
    checkDims(node.shape, where);
    if (node.id !== index) throw new SasError('E_GRAPH', `${where}: id ${node.id} does not equal its index`);
    if (node.dtype !== graph.dtype) throw new SasError('E_DTYPE', `${where}: dtype ${node.dtype} differs from the graph's ${graph.dtype}`);
    for (const input of node.inputs) {
      if (!Number.isInteger(input) || input < 0 || input >= index) {
        throw new SasError('E_GRAPH', `${where}: input ${input} is not an earlier node`);
      }
    }
    if (isLeaf(node.op)) {
      verifyLeaf(graph, index, names);
      return;
    }
    const op = findOp(node.op);
    if (!op) throw new SasError('E_GRAPH', `${where}: unknown op '${node.op}'`);
    if (node.inputs.length !== op.arity) {
      throw new SasError('E_GRAPH', `${where}: expected ${op.arity} inputs, got ${node.inputs.length}`);
    }
    op.checkAttrs?.(node.attrs);
    checkAttrTypes(node.op, op.attrs, node.attrs);
    const inputs = node.inputs.map((i: number) => graph.nodes[i]);
    const canonical = canonicalAttrs(node.op, op.attrs, node.attrs, inputs);
    if (canonical !== node.attrs) {
      throw new SasError(
        'E_ATTR',
        `${where}: attributes ${JSON.stringify(node.attrs)} are not in canonical form ${JSON.stringify(canonical)} (axes non-negative and sorted, as GraphBuilder and graphFromJSON store them)`,
      );
    }
    const inferred = op.inferShape(inputs, node.attrs);
    if (!sameShape(inferred, node.shape)) {
      throw new SasError('E_SHAPE', `${where}: recorded shape ${fmtShape(node.shape)} but the op infers ${fmtShape(inferred)}`);
    }
  });
  for (const [name, id] of Object.entries(graph.outputs)) {
    checkName(name, 'graph output');
    if (!Number.isInteger(id) || id < 0 || id >= graph.nodes.length) {
      throw new SasError('E_GRAPH', `graph output '${printable(name)}' points at missing node ${id}`);
    }
  }
}

function verifyLeaf(graph: Graph, index: number, names: Set<string>): void {
  const node = graph.nodes[index];
  const where = `graph node ${index} (${node.op})`;
  const shape = node.attrs.shape;
  if (!Array.isArray(shape) || !sameShape(shape as number[], node.shape)) {
    throw new SasError('E_GRAPH', `${where}: attribute shape does not match the node shape ${fmtShape(node.shape)}`);
  }
  if (node.inputs.length !== 0) throw new SasError('E_GRAPH', `${where}: a leaf takes no inputs`);
  if (node.op === 'Constant') {
    const value = node.attrs.value;
    if (!Array.isArray(value) || value.length !== sizeOf(node.shape) || value.some((v) => typeof v !== 'number')) {
      throw new SasError('E_GRAPH', `${where}: constant value does not fill shape ${fmtShape(node.shape)}`);
    }
    return;
  }
  const name = node.attrs.name;
  if (typeof name !== 'string' || name.length === 0) throw new SasError('E_GRAPH', `${where}: missing name`);
  checkName(name, where);
  if (names.has(name)) throw new SasError('E_GRAPH', `${where}: duplicate feed name '${printable(name)}'`);
  names.add(name);
  const { indexRange, ignoreIndex } = node.attrs;
  if (indexRange === undefined && ignoreIndex === undefined) return;
  if (node.op !== 'Input') throw new SasError('E_GRAPH', `${where}: only an Input may declare an index domain (indexRange, ignoreIndex)`);
  checkIndexDomain(`${where} '${name}'`, { indexRange, ignoreIndex });
}

/**
 * Every dimension a non-negative integer, and the element count one a double
 * holds exactly: a graph from a file may say anything, and a negative or
 * fractional dimension would otherwise pass the shape rules (sizeOf([-1, -1]) = 1).
 */
function checkDims(shape: readonly unknown[], where: string): void {
  const bad = shape.find((d) => !Number.isSafeInteger(d) || (d as number) < 0);
  if (bad !== undefined)
    throw new SasError('E_SHAPE', `${where}: shape [${shape.map(String).join(',')}] has dimension ${String(bad)}; dimensions are non-negative integers`);
  if (!Number.isSafeInteger(sizeOf(shape as number[])))
    throw new SasError(
      'E_SHAPE',
      `${where}: shape ${fmtShape(shape as number[])} has more elements than can be counted exactly (${sizeOf(shape as number[])})`,
    );
}
