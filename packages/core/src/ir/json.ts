import { SasError } from '../errors.js';
import { parseJsonText } from '../io/json-text.js';
import type { AttrValue, Attrs, Graph, GraphNode } from './types.js';
import { verifyGraph } from './verify.js';
import { lowerGraph } from '../backend/lower.js';
import { COMPOSITE_OP_NAMES } from '../ops/table.js';

/** The format tag and version of serialised graphs; docs/graph-format.md specifies them. */
export const GRAPH_FORMAT = 'sas-graph';
export const GRAPH_FORMAT_VERSION = 2;

/**
 * Versions this library reads. Version 2 added the composite ops
 * (`Attention`, `AttentionGrad`); version 1 documents hold primitives only.
 */
const READABLE_VERSIONS: readonly number[] = [1, 2];

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

/** Options of `graphToJSON`. */
export interface GraphJSONOptions {
  /**
   * Format version to write (default the current one, 2). Version 1, for
   * readers that predate composite ops, gets them lowered to their
   * primitive decompositions: the same function, more nodes.
   */
  readonly version?: 1 | 2;
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
  const version = options.version ?? GRAPH_FORMAT_VERSION;
  if (!READABLE_VERSIONS.includes(version)) throw new SasError('E_GRAPH', `graphToJSON: version must be 1 or 2, got ${JSON.stringify(version)}`);
  const graph = version === 1 ? lowerGraph(source, (op) => !COMPOSITE_OP_NAMES.includes(op), 'sas-graph version 1') : source;
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
      `${source}: unsupported ${GRAPH_FORMAT} version ${JSON.stringify(d.version)} (this library reads versions ${READABLE_VERSIONS.join(' and ')})`,
    );
  }
  if (!Array.isArray(d.nodes) || !d.outputs || typeof d.outputs !== 'object')
    throw new SasError('E_GRAPH', `${source}: expected "nodes" (array) and "outputs" (object)`);
  const nodes: GraphNode[] = d.nodes.map((n, id) => {
    const where = `${source}: node ${id}`;
    if (!n || typeof n.op !== 'string' || !Array.isArray(n.inputs) || !Array.isArray(n.shape) || typeof n.attrs !== 'object' || n.attrs === null) {
      throw new SasError('E_GRAPH', `${where}: expected {op, inputs, attrs, shape}`);
    }
    if (d.version === 1 && COMPOSITE_OP_NAMES.includes(n.op))
      throw new SasError('E_GRAPH', `${where}: op '${n.op}' is not in ${GRAPH_FORMAT} version 1 (it came in version 2)`);
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(n.attrs)) {
      if (typeof v === 'boolean' || (typeof v === 'string' && (TEXT_ATTRS.has(k) || !isNonFiniteName(v)))) attrs[k] = v;
      else if (Array.isArray(v)) attrs[k] = v.map((x) => decodeNumber(x, `${where} attribute ${k}`));
      else attrs[k] = decodeNumber(v, `${where} attribute ${k}`);
    }
    return { id, op: n.op, inputs: n.inputs, attrs: attrs as Attrs, shape: n.shape, dtype: d.dtype as Graph['dtype'] };
  });
  const graph: Graph = { dtype: d.dtype as Graph['dtype'], nodes, outputs: d.outputs };
  try {
    verifyGraph(graph);
  } catch (e) {
    if (e instanceof SasError) throw new SasError(e.code, `${source}: ${e.message}`);
    throw e;
  }
  return graph;
}
