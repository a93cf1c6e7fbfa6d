import { SasError } from '../errors.js';
import { parseJsonText } from '../io/json-text.js';
import type { AttrValue, Graph, GraphNode } from './types.js';
import { verifyGraph } from './verify.js';
import { lowerGraph } from '../backend/lower.js';
import { canonicalAttrs, checkAttrTypes } from '../ops/attrs.js';
import { COMPOSITE_OP_NAMES, findOp } from '../ops/table.js';

/** The format tag and version of serialised graphs; docs/graph-format.md specifies them. */
export const GRAPH_FORMAT = 'sas-graph';
export const GRAPH_FORMAT_VERSION = 3;

/**
 * Versions this library reads. Version 1 holds primitives only; version 2
 * added the composite ops `Attention` and `AttentionGrad`; version 3 the
 * model's composites (`Gather`, `ScatterAdd`, `LayerNorm`, `LayerNormGrad`,
 * `Tanh`, `CrossEntropy`) and index domains on `Input` leaves.
 */
const READABLE_VERSIONS: readonly number[] = [1, 2, 3];

/** The version that introduced each composite op (primitives are in every version). */
const INTRODUCED_IN: Readonly<Record<string, number>> = Object.fromEntries(
  COMPOSITE_OP_NAMES.map((op) => [op, op === 'Attention' || op === 'AttentionGrad' ? 2 : 3]),
);

/** The version a document needs for `op`. */
const versionOf = (op: string): number => INTRODUCED_IN[op] ?? 1;

/**
 * The lowest version that holds `graph` as it is, and at least 2 (what this
 * library wrote before version 3): what `graphToJSON` writes by default, so
 * readers that predate version 3 keep reading every graph that uses nothing
 * it added (every layer graph).
 */
function requiredVersion(graph: Graph): number {
  let version = 2;
  for (const n of graph.nodes) {
    version = Math.max(version, versionOf(n.op));
    if (n.op === 'Input' && n.attrs.indexRange !== undefined) version = Math.max(version, 3);
  }
  return version;
}

/**
 * A graph as plain JSON data. Numbers JSON cannot hold are written as the
 * strings "NaN", "Infinity", "-Infinity" and "-0" in number positions.
 */
export interface GraphJSON {
  readonly format: typeof GRAPH_FORMAT;
  readonly version: number;
  readonly dtype: string;
  readonly nodes: readonly { op: string; inputs: number[]; attrs: Record<string, unknown>; shape: number[] }[];
  readonly outputs: Record<string, number>;
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };
const isNonFiniteName = (v: string) => Object.hasOwn(NON_FINITE, v);

function encodeNumber(v: number): number | string {
  if (Object.is(v, -0)) return '-0'; // JSON.stringify drops the sign of zero
  return Number.isFinite(v) ? v : String(v);
}

/** Attributes that hold text, never numbers: a feed name may be any string, even "NaN". */
const TEXT_ATTRS = new Set(['name', 'fill', 'wrt']);

function encodeAttr(v: AttrValue): unknown {
  if (typeof v === 'number') return encodeNumber(v);
  if (Array.isArray(v)) return v.map(encodeNumber);
  return v;
}

function decodeNumber(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && isNonFiniteName(v)) return NON_FINITE[v];
  throw new SasError('E_GRAPH', `${where}: expected a number, got ${JSON.stringify(v)}`);
}

/**
 * `node` with its attributes in canonical form (negative axes resolved,
 * `axes` sorted), as GraphBuilder stores them: files written by other tools,
 * or by older versions of this library, may hold negative axes. A node whose
 * op, inputs or attributes are malformed is left for `verifyGraph` to report.
 */
function withCanonicalAttrs(node: GraphNode, nodes: readonly GraphNode[]): GraphNode {
  const op = findOp(node.op);
  const inputsOk = node.inputs.every((i) => Number.isInteger(i) && i >= 0 && i < node.id && Array.isArray(nodes[i].shape));
  if (!op || !inputsOk || node.inputs.length !== op.arity) return node;
  try {
    op.checkAttrs?.(node.attrs);
    checkAttrTypes(node.op, op.attrs, node.attrs);
  } catch {
    return node;
  }
  try {
    const attrs = canonicalAttrs(
      node.op,
      op.attrs,
      node.attrs,
      node.inputs.map((i) => nodes[i]),
    );
    return attrs === node.attrs ? node : { ...node, attrs };
  } catch (e) {
    if (e instanceof SasError) throw new SasError(e.code, `graph node ${node.id} (${node.op}): ${e.message}`);
    throw e;
  }
}

/** Options of `graphToJSON`. */
export interface GraphJSONOptions {
  /**
   * Format version to write. Default: 2, or 3 when the graph uses something
   * version 3 added (a layer graph is version 2, a model graph version 3). An
   * earlier version, for readers that predate some composite ops, gets those
   * lowered to their decompositions: the same function, more nodes. (Index
   * domains on inputs are kept: older readers ignore leaf attributes they do
   * not know, and run without the check.)
   */
  readonly version?: 1 | 2 | 3;
}

/**
 * The versioned JSON form of a graph (a plain object; `JSON.stringify` it).
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, graphToJSON } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [3])));
 * JSON.stringify(graphToJSON(b.build())); // {"format":"sas-graph","version":2,...}
 * ```
 */
export function graphToJSON(source: Graph, options: GraphJSONOptions = {}): GraphJSON {
  const version = options.version ?? requiredVersion(source);
  if (!READABLE_VERSIONS.includes(version))
    throw new SasError('E_GRAPH', `graphToJSON: version must be one of ${READABLE_VERSIONS.join(', ')}, got ${JSON.stringify(version)}`);
  const graph = version < GRAPH_FORMAT_VERSION ? lowerGraph(source, (op) => versionOf(op) <= version, `sas-graph version ${version}`) : source;
  return {
    format: GRAPH_FORMAT,
    version,
    dtype: graph.dtype,
    nodes: graph.nodes.map((n) => ({
      op: n.op,
      inputs: [...n.inputs],
      attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, encodeAttr(v)])),
      shape: [...n.shape],
    })),
    outputs: { ...graph.outputs },
  };
}

/**
 * Reads a graph from its JSON form (an object or a JSON string) and verifies
 * it; an unknown format version, an unknown op or an inconsistent shape is a
 * clear error naming `source`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, graphToJSON, graphFromJSON } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [3])));
 * const same = graphFromJSON(JSON.stringify(graphToJSON(b.build())));
 * ```
 */
export function graphFromJSON(json: string | unknown, source = '<graph>'): Graph {
  let data: unknown = json;
  if (typeof json === 'string') data = parseJsonText(json, source, 'E_GRAPH');
  const d = data as Partial<GraphJSON>;
  if (!d || typeof d !== 'object' || d.format !== GRAPH_FORMAT)
    throw new SasError('E_GRAPH', `${source}: not a ${GRAPH_FORMAT} document (format is ${JSON.stringify(d?.format)})`);
  if (typeof d.version !== 'number' || !READABLE_VERSIONS.includes(d.version)) {
    throw new SasError(
      'E_GRAPH',
      `${source}: unsupported ${GRAPH_FORMAT} version ${JSON.stringify(d.version)} (this library reads versions ${READABLE_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_VERSIONS.at(-1)})`,
    );
  }
  if (!Array.isArray(d.nodes) || !d.outputs || typeof d.outputs !== 'object')
    throw new SasError('E_GRAPH', `${source}: expected "nodes" (array) and "outputs" (object)`);
  const nodes: GraphNode[] = d.nodes.map((n, id) => {
    const where = `${source}: node ${id}`;
    if (!n || typeof n.op !== 'string' || !Array.isArray(n.inputs) || !Array.isArray(n.shape) || typeof n.attrs !== 'object' || n.attrs === null) {
      throw new SasError('E_GRAPH', `${where}: expected {op, inputs, attrs, shape}`);
    }
    if (versionOf(n.op) > (d.version as number))
      throw new SasError('E_GRAPH', `${where}: op '${n.op}' is not in ${GRAPH_FORMAT} version ${d.version} (it came in version ${versionOf(n.op)})`);
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(n.attrs)) {
      if (typeof v === 'boolean' || (typeof v === 'string' && (TEXT_ATTRS.has(k) || !isNonFiniteName(v)))) attrs[k] = v;
      else if (Array.isArray(v)) attrs[k] = v.map((x) => decodeNumber(x, `${where} attribute ${k}`));
      else attrs[k] = decodeNumber(v, `${where} attribute ${k}`);
    }
    return { id, op: n.op, inputs: n.inputs, attrs, shape: n.shape, dtype: d.dtype as Graph['dtype'] };
  });
  let graph: Graph = { dtype: d.dtype as Graph['dtype'], nodes, outputs: d.outputs };
  try {
    graph = { ...graph, nodes: nodes.map((n) => withCanonicalAttrs(n, nodes)) };
    verifyGraph(graph);
  } catch (e) {
    if (e instanceof SasError) throw new SasError(e.code, `${source}: ${e.message}`);
    throw e;
  }
  return graph;
}
