import { SasError } from '../errors.js';
import { checkName, printable } from '../names.js';
import { fmtShape, sizeOf, validateShape, type DType } from '../tensor.js';
import { checkAttrTypes, canonicalAttrs } from '../ops/attrs.js';
import { getOp, type OpAttrs, type OpName } from '../ops/table.js';
import { sameDType } from '../ops/op.js';
import { checkIndexDomain, type IndexDomain } from './domain.js';
import { constantValues, leafName, type AttrValue, type Attrs, type Graph, type GraphNode } from './types.js';
import { verifyGraph } from './verify.js';

/** `apply`'s attribute argument: required when op `N` has attributes, optional when it has none. */
type AttrsArgument<N extends OpName> = Record<never, never> extends OpAttrs<N> ? [attrs?: OpAttrs<N>] : [attrs: OpAttrs<N>];

/**
 * A handle on a node under construction. Ops take and return NodeRefs, so
 * graphs read like array code: `relu(add(x, b))`.
 */
export class NodeRef {
  constructor(
    readonly builder: GraphBuilder,
    readonly id: number,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}
  /** Rank of the node's value. */
  get rank(): number {
    return this.shape.length;
  }
}

/**
 * Builds a graph node by node. Every `apply` checks the op's attributes and
 * shape rule at once, so a wrong shape fails where it is written.
 *
 * @example
 * ```ts
 * import { GraphBuilder, matMul, relu } from '@sas/core';
 * const b = new GraphBuilder('float64');
 * const x = b.input('x', [2, 3]);
 * const w = b.param('w', [3, 4]);
 * b.output('y', relu(matMul(x, w)));
 * const graph = b.build();   // verified, immutable
 * ```
 */
export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly outputs: Record<string, number> = {};
  private readonly feedNames = new Map<string, number>();

  constructor(readonly dtype: DType = 'float32') {
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new SasError('E_DTYPE', `GraphBuilder: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
    }
  }

  /** Starts a builder holding a copy of `graph`'s nodes and outputs; returns refs to every node. */
  static from(graph: Graph): { builder: GraphBuilder; refs: NodeRef[] } {
    const builder = new GraphBuilder(graph.dtype);
    const refs = graph.nodes.map((n) => builder.push(n.op, n.inputs, n.attrs, n.shape));
    Object.assign(builder.outputs, graph.outputs);
    return { builder, refs };
  }

  /**
   * A value fed at run time (queries, keys, a loss cotangent...). With a
   * `domain`, the input holds integer ids (token ids, loss targets): every fed
   * value is checked against it before a run, on every backend.
   */
  input(name: string, shape: readonly number[], domain?: IndexDomain): NodeRef {
    if (domain === undefined) return this.leaf('Input', name, shape);
    checkIndexDomain(`Input '${name}'`, domain);
    const attrs: Record<string, number> = { indexRange: domain.indexRange };
    if (domain.ignoreIndex !== undefined) attrs.ignoreIndex = domain.ignoreIndex;
    return this.leaf('Input', name, shape, attrs);
  }

  /** A trainable weight fed at run time; gradients can be taken with respect to it. */
  param(name: string, shape: readonly number[]): NodeRef {
    return this.leaf('Param', name, shape);
  }

  /** A constant stored in the graph: a number becomes a scalar. */
  constant(values: number | readonly number[], shape?: readonly number[]): NodeRef {
    const list = typeof values === 'number' ? [values] : [...values];
    const dims = shape ?? (typeof values === 'number' ? [] : [list.length]);
    validateShape(dims, 'constant shape');
    if (list.length !== sizeOf(dims)) {
      throw new SasError('E_SHAPE', `constant: ${list.length} values do not fill shape ${fmtShape(dims)}`);
    }
    return this.push('Constant', [], { value: list, shape: [...dims] }, dims);
  }

  /**
   * A copy of another graph's leaf (Input, Param or Constant) with all its
   * attributes, an Input's index domain included: how graph rewrites
   * (lowering, merging) carry leaves over.
   */
  copyLeaf(node: GraphNode): NodeRef {
    if (node.op === 'Constant') return this.constant(constantValues(node), node.shape);
    if (node.op !== 'Input' && node.op !== 'Param') throw new SasError('E_GRAPH', `copyLeaf: node ${node.id} (${node.op}) is not a leaf`);
    const { name: _name, shape: _shape, ...extra } = node.attrs;
    return this.leaf(node.op, leafName(node), node.shape, extra);
  }

  /**
   * Applies op `opName` to `inputs` with its typed attributes (optional for
   * ops without any); prefer the typed functions (`add`, `matMul`, ...). The
   * attributes are checked, then stored in canonical form (negative axes
   * resolved, `axes` sorted), so kernels never normalise them.
   */
  apply<N extends OpName>(opName: N, inputs: readonly NodeRef[], ...attrs: AttrsArgument<N>): NodeRef {
    return this.applyByName(opName, inputs, attrs[0] ?? {});
  }

  /**
   * `apply` for an op named at run time (graph rewrites, fuzzers, tools):
   * the same checks, made at run time only. An unknown name is an `E_GRAPH` error.
   */
  applyByName(opName: string, inputs: readonly NodeRef[], attrs: Attrs = {}): NodeRef {
    const op = getOp(opName);
    if (inputs.length !== op.arity) {
      throw new SasError('E_GRAPH', `${opName}: expected ${op.arity} inputs, got ${inputs.length}`);
    }
    for (const ref of inputs) {
      if (ref.builder !== this) throw new SasError('E_GRAPH', `${opName}: an input belongs to another graph builder`);
    }
    op.checkAttrs?.(attrs);
    checkAttrTypes(opName, op.attrs, attrs);
    sameDType(opName, inputs);
    const canonical = canonicalAttrs(opName, op.attrs, attrs, inputs);
    const shape = op.inferShape(inputs, canonical);
    return this.push(
      opName,
      inputs.map((r) => r.id),
      canonical,
      shape,
    );
  }

  /**
   * The node `ref` points at (op, inputs, attributes), for VJP rules that
   * simplify by looking at how a cotangent was made.
   */
  nodeOf(ref: NodeRef): GraphNode {
    if (ref.builder !== this) throw new SasError('E_GRAPH', 'nodeOf: the ref belongs to another graph builder');
    return this.nodes[ref.id];
  }

  /** Names a node as a graph output. */
  output(name: string, ref: NodeRef): void {
    if (ref.builder !== this) throw new SasError('E_GRAPH', `output '${printable(name)}' belongs to another graph builder`);
    checkName(name, 'output');
    this.outputs[name] = ref.id;
  }

  /** A ref to an existing node by id. */
  ref(id: number): NodeRef {
    const n = this.nodes[id];
    if (!n) throw new SasError('E_GRAPH', `no node ${id}`);
    return new NodeRef(this, id, n.shape, n.dtype);
  }

  /** Freezes the graph after `verifyGraph`. */
  build(): Graph {
    const graph: Graph = { dtype: this.dtype, nodes: [...this.nodes], outputs: { ...this.outputs } };
    verifyGraph(graph);
    return graph;
  }

  private leaf(op: 'Input' | 'Param', name: string, shape: readonly number[], extra: Attrs = {}): NodeRef {
    if (typeof name !== 'string' || name.length === 0) throw new SasError('E_GRAPH', `${op}: name must be a non-empty string`);
    checkName(name, op);
    if (this.feedNames.has(name)) throw new SasError('E_GRAPH', `${op}: the name '${printable(name)}' is already used by another input or param`);
    validateShape(shape, `${op} '${name}' shape`);
    const ref = this.push(op, [], { name, shape: [...shape], ...extra }, shape);
    this.feedNames.set(name, ref.id);
    return ref;
  }

  private push(op: string, inputs: readonly number[], attrs: Attrs, shape: readonly number[]): NodeRef {
    const id = this.nodes.length;
    const frozen: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) frozen[k] = Array.isArray(v) ? Object.freeze([...v]) : v;
    this.nodes.push(Object.freeze({ id, op, inputs: [...inputs], attrs: Object.freeze(frozen), shape: [...shape], dtype: this.dtype }));
    if (op === 'Input' || op === 'Param') this.feedNames.set(String(attrs.name), id);
    return new NodeRef(this, id, shape, this.dtype);
  }
}
