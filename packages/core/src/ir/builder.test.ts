import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  REFERENCE_KERNELS,
  SasError,
  add,
  checkFeeds,
  createKernelBackend,
  evaluateReference,
  exp,
  log,
  lowerGraph,
  matMul,
  mul,
  planExecution,
  softmax,
  tensor,
  verifyGraph,
  type Graph,
  type GraphNode,
  type GraphContext,
  type KernelTable,
  type RefTensor,
  type Tensor,
} from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** The SasError a promise rejects with. */
async function sasRejection(p: Promise<unknown>): Promise<SasError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SasError);
    return e as SasError;
  }
  throw new Error('expected a SasError, the promise resolved');
}

/** Elementwise closeness within 1e-15 relative, with non-finite values compared exactly. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (!Number.isFinite(e)) expect(actual[i]).toBe(e);
    else expect(Math.abs(actual[i] - e)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(e)));
  }
}

describe('GraphBuilder', () => {
  it('records leaves and ops in order and builds a frozen, verified graph', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const w = b.param('w', [3, 2]);
    b.output('y', matMul(x, w));
    const g = b.build();
    expect(g.dtype).toBe('float64');
    expect(g.nodes.map((n) => n.op)).toEqual(['Input', 'Param', 'MatMul']);
    expect(g.nodes[2]).toMatchObject({ id: 2, inputs: [0, 1], shape: [2, 2], dtype: 'float64', attrs: { transposeA: false, transposeB: false } });
    expect(g.nodes[0].attrs).toEqual({ name: 'x', shape: [2, 3] });
    expect(g.outputs).toEqual({ y: 2 });
    expect(Object.isFrozen(g.nodes[2])).toBe(true);
    expect(Object.isFrozen(g.nodes[2].attrs)).toBe(true);
  });

  it('stores constants, a number as a rank-0 value', () => {
    const b = new GraphBuilder('float64');
    expect(b.constant(2).shape).toEqual([]);
    expect(b.constant([1, 2, 3]).shape).toEqual([3]);
    expect(b.constant([1, 2, 3, 4], [2, 2]).shape).toEqual([2, 2]);
    const e = sasError(() => b.constant([1, 2, 3], [2, 2]));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('constant: 3 values do not fill shape [2,2]');
  });

  it('rejects a dtype other than float32/float64', () => {
    const e = sasError(() => new GraphBuilder('float16' as 'float32'));
    expect(e.code).toBe('E_DTYPE');
    expect(e.message).toBe("GraphBuilder: dtype must be 'float32' or 'float64', got float16");
  });

  it('rejects duplicate feed names across inputs and params', () => {
    const b = new GraphBuilder('float64');
    b.input('x', [2]);
    const e = sasError(() => b.input('x', [3]));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe("Input: the name 'x' is already used by another input or param");
    const e2 = sasError(() => b.param('x', [2]));
    expect(e2.code).toBe('E_GRAPH');
    expect(e2.message).toBe("Param: the name 'x' is already used by another input or param");
  });

  it('rejects an empty feed name and a bad leaf shape', () => {
    const b = new GraphBuilder('float64');
    expect(sasError(() => b.input('', [2])).message).toBe('Input: name must be a non-empty string');
    const e = sasError(() => b.param('w', [2, -1]));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain("Param 'w' shape");
  });

  it('rejects refs from another builder, as op inputs and as outputs', () => {
    const b1 = new GraphBuilder('float64');
    const b2 = new GraphBuilder('float64');
    const x1 = b1.input('x', [2]);
    const x2 = b2.input('x', [2]);
    const e = sasError(() => add(x1, x2));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('Add: an input belongs to another graph builder');
    const e2 = sasError(() => b1.output('y', x2));
    expect(e2.code).toBe('E_GRAPH');
    expect(e2.message).toBe("output 'y' belongs to another graph builder");
  });

  it('rejects an unknown op by name, listing the known ops', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const e = sasError(() => b.applyByName('Nope', [x]));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toMatch(
      /^unknown op 'Nope' \(known: Add, Sub, .*MatMul, .*Flip, Attention, AttentionGrad, Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh, CrossEntropy\)$/,
    );
    // Object.prototype names are not ops either.
    expect(sasError(() => b.applyByName('toString', [x])).code).toBe('E_GRAPH');
  });

  it('rejects a wrong number of inputs', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 2]);
    const e = sasError(() => b.apply('MatMul', [x], { transposeA: false, transposeB: false }));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('MatMul: expected 2 inputs, got 1');
  });

  it('adds no node when an op is rejected', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    sasError(() => matMul(x, x));
    b.output('y', exp(x));
    expect(b.build().nodes.map((n) => n.op)).toEqual(['Input', 'Exp']);
  });

  it('hands out refs to existing nodes and rejects missing ones', () => {
    const b = new GraphBuilder('float64');
    b.input('x', [2, 3]);
    expect(b.ref(0).shape).toEqual([2, 3]);
    expect(b.ref(0).rank).toBe(2);
    const e = sasError(() => b.ref(5));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('no node 5');
  });

  it('copies a graph with GraphBuilder.from without touching the original', () => {
    const b = new GraphBuilder('float64');
    b.output('y', exp(b.input('x', [2])));
    const g = b.build();
    const { builder, refs } = GraphBuilder.from(g);
    expect(refs.map((r) => r.id)).toEqual([0, 1]);
    builder.output('z', log(refs[1]));
    const g2 = builder.build();
    expect(g2.outputs).toEqual({ y: 1, z: 2 });
    expect(g.nodes).toHaveLength(2);
    expect(g.outputs).toEqual({ y: 1 });
    // The copy keeps the feed names reserved.
    expect(sasError(() => builder.input('x', [2])).code).toBe('E_GRAPH');
  });

  it('runs float32 graphs, rounding the float64 reference result to float32', async () => {
    const b = new GraphBuilder('float32');
    b.output('y', mul(b.input('x', [2]), 3));
    const out = await evaluateReference(b.build(), { x: tensor([0.1, 1], [2], 'float32') });
    expect(out.y.dtype).toBe('float32');
    expect(out.y.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.y.data)).toEqual([Math.fround(Math.fround(0.1) * 3), 3]);
  });
});

/** Plain JSON-like nodes, as a graph read from a file would hold them. */
const leaf = (id: number, op: 'Input' | 'Param', name: string, shape: number[]): GraphNode => ({
  id,
  op,
  inputs: [],
  attrs: { name, shape },
  shape,
  dtype: 'float64',
});
const node = (id: number, op: string, inputs: number[], shape: number[], attrs: GraphNode['attrs'] = {}): GraphNode => ({
  id,
  op,
  inputs,
  attrs,
  shape,
  dtype: 'float64',
});
const NO_T = { transposeA: false, transposeB: false };

/** x [2,3] · w [3,2] → y [2,2], then exp. */
function handMadeGraph(): { dtype: 'float64'; nodes: GraphNode[]; outputs: Record<string, number> } {
  return {
    dtype: 'float64',
    nodes: [leaf(0, 'Input', 'x', [2, 3]), leaf(1, 'Param', 'w', [3, 2]), node(2, 'MatMul', [0, 1], [2, 2], NO_T), node(3, 'Exp', [2], [2, 2])],
    outputs: { y: 3 },
  };
}

describe('verifyGraph', () => {
  it('accepts a well-formed hand-made graph, which then runs', async () => {
    const g = handMadeGraph();
    expect(() => verifyGraph(g)).not.toThrow();
    // x = [[1,0,0],[0,1,0]] picks the first two rows of w = [[0,1],[2,3],[4,5]]: exp([[0,1],[2,3]])
    const out = await evaluateReference(g, { x: tensor([1, 0, 0, 0, 1, 0], [2, 3]), w: tensor([0, 1, 2, 3, 4, 5], [3, 2]) });
    expectClose(out.y.data, [1, Math.E, Math.E ** 2, Math.E ** 3]);
  });

  it('accepts a built graph after a JSON round trip', () => {
    const b = new GraphBuilder('float64');
    b.output('p', softmax(add(b.input('x', [2, 3]), b.constant([1, 2, 3]))));
    const copy = JSON.parse(JSON.stringify(b.build())) as Graph;
    expect(() => verifyGraph(copy)).not.toThrow();
  });

  it('rejects a recorded shape that differs from the shape rule', () => {
    const g = handMadeGraph();
    g.nodes[2] = node(2, 'MatMul', [0, 1], [2, 3], NO_T);
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('graph node 2 (MatMul): recorded shape [2,3] but the op infers [2,2]');
  });

  it('rejects a forward reference and a self reference', () => {
    const g = handMadeGraph();
    g.nodes[2] = node(2, 'MatMul', [0, 3], [2, 2], NO_T);
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('graph node 2 (MatMul): input 3 is not an earlier node');
    g.nodes[2] = node(2, 'MatMul', [0, 2], [2, 2], NO_T);
    expect(sasError(() => verifyGraph(g)).message).toBe('graph node 2 (MatMul): input 2 is not an earlier node');
  });

  it('rejects an unknown op', () => {
    const g = handMadeGraph();
    g.nodes[3] = node(3, 'Nope', [2], [2, 2]);
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe("graph node 3 (Nope): unknown op 'Nope'");
  });

  it('rejects a wrong arity and malformed attributes', () => {
    const g = handMadeGraph();
    g.nodes[2] = node(2, 'MatMul', [0], [2, 2], NO_T);
    expect(sasError(() => verifyGraph(g)).message).toBe('graph node 2 (MatMul): expected 2 inputs, got 1');
    g.nodes[2] = node(2, 'MatMul', [0, 1], [2, 2], {});
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('MatMul: transposeA and transposeB must be booleans');
  });

  it('rejects ids that are not the node index', () => {
    const g = handMadeGraph();
    g.nodes[3] = node(7, 'Exp', [2], [2, 2]);
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('graph node 3 (Exp): id 7 does not equal its index');
  });

  it('rejects duplicate feed names', () => {
    const g = handMadeGraph();
    g.nodes[1] = leaf(1, 'Param', 'x', [3, 2]);
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe("graph node 1 (Param): duplicate feed name 'x'");
  });

  it('rejects malformed leaves', () => {
    const g = handMadeGraph();
    g.nodes[0] = { ...leaf(0, 'Input', 'x', [2, 3]), attrs: { name: 'x', shape: [3, 2] } };
    expect(sasError(() => verifyGraph(g)).message).toBe('graph node 0 (Input): attribute shape does not match the node shape [2,3]');
    const c = handMadeGraph();
    c.nodes[1] = { ...node(1, 'Constant', [], [3, 2]), attrs: { value: [1, 2, 3], shape: [3, 2] } };
    const e = sasError(() => verifyGraph(c));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('graph node 1 (Constant): constant value does not fill shape [3,2]');
    const i = handMadeGraph();
    i.nodes[1] = { ...leaf(1, 'Param', 'w', [3, 2]), inputs: [0] };
    expect(sasError(() => verifyGraph(i)).message).toBe('graph node 1 (Param): a leaf takes no inputs');
  });

  it('rejects an output pointing at a missing node', () => {
    const g = handMadeGraph();
    g.outputs.z = 9;
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe("graph output 'z' points at missing node 9");
  });

  it('rejects a bad graph dtype and a node dtype that differs from the graph', () => {
    const g = handMadeGraph();
    expect(sasError(() => verifyGraph({ ...g, dtype: 'int8' as 'float64' })).code).toBe('E_DTYPE');
    g.nodes[3] = { ...node(3, 'Exp', [2], [2, 2]), dtype: 'float32' };
    const e = sasError(() => verifyGraph(g));
    expect(e.code).toBe('E_DTYPE');
    expect(e.message).toBe("graph node 3 (Exp): dtype float32 differs from the graph's float64");
  });
});

describe('planExecution', () => {
  /** y = exp(x) (nodes 0, 1); z = log(w) (nodes 2, 3); s = y + z (node 4). */
  function twoBranches(): Graph {
    const b = new GraphBuilder('float64');
    const y = exp(b.input('x', [2]));
    const z = log(b.input('w', [2]));
    b.output('y', y);
    b.output('z', z);
    b.output('s', add(y, z));
    return b.build();
  }

  it('keeps only the ancestors of the requested outputs', () => {
    const plan = planExecution(twoBranches(), ['y']);
    expect(plan.order).toEqual([0, 1]);
    expect(plan.outputs).toEqual({ y: 1 });
    expect(plan.feeds.map((n) => n.attrs.name)).toEqual(['x']);
    // x dies after its consumer at position 1; the output is never freed (−1).
    expect(plan.lastUse.get(0)).toBe(1);
    expect(plan.lastUse.get(1)).toBe(-1);
  });

  it('plans every output by default, with last uses for shared values', () => {
    const plan = planExecution(twoBranches());
    expect(plan.order).toEqual([0, 1, 2, 3, 4]);
    expect(plan.feeds.map((n) => n.attrs.name)).toEqual(['x', 'w']);
    expect(plan.lastUse.get(0)).toBe(1);
    expect(plan.lastUse.get(2)).toBe(3);
    expect(plan.lastUse.get(1)).toBe(-1); // y is an output, though s reads it too
  });

  it('rejects an unknown output name, listing the outputs', () => {
    const e = sasError(() => planExecution(twoBranches(), ['q']));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe("unknown output 'q' (graph outputs: y, z, s)");
  });

  it('lets a pruned run go without the feeds of the pruned branch', async () => {
    const out = await evaluateReference(twoBranches(), { x: tensor([0, 1], [2]) }, { outputs: ['y'] });
    expect(Object.keys(out)).toEqual(['y']);
    expectClose(out.y.data, [1, Math.E]);
  });
});

describe('checkFeeds', () => {
  /** y = x ⊙ w with x an input [2] and w a param [2]. */
  function product(): Graph {
    const b = new GraphBuilder('float64');
    b.output('y', mul(b.input('x', [2]), b.param('w', [2])));
    return b.build();
  }
  const w = tensor([2, 3], [2]);

  it('passes matching feeds', async () => {
    const out = await evaluateReference(product(), { x: tensor([4, 5], [2]), w });
    expect(Array.from(out.y.data)).toEqual([8, 15]);
  });

  it('rejects a missing feed, naming it with its kind and shape', async () => {
    const e = await sasRejection(evaluateReference(product(), { x: tensor([4, 5], [2]) }));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toBe("feed 'w' is missing: expected param of shape [2]");
  });

  it('rejects a feed of the wrong shape', async () => {
    const e = await sasRejection(evaluateReference(product(), { x: tensor([4, 5], [1, 2]), w }));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe("feed 'x': expected shape [2], got [1,2]");
  });

  it('rejects a feed name the graph does not have', async () => {
    const e = await sasRejection(evaluateReference(product(), { x: tensor([4, 5], [2]), w, q: tensor([1], [1]) }));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toBe("feed 'q': the graph has no input or param of that name");
  });

  it('refuses NaN and ±Inf by default, naming the element', async () => {
    const e = await sasRejection(evaluateReference(product(), { x: tensor([4, NaN], [2]), w }));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toBe("feed 'x': element 1 is NaN (non-finite values are refused; pass nonFinite: 'allow' to run anyway)");
    const e2 = await sasRejection(evaluateReference(product(), { x: tensor([4, 5], [2]), w: tensor([-Infinity, 1], [2]) }));
    expect(e2.message).toContain("feed 'w': element 0 is -Infinity");
  });

  it("runs NaN through with nonFinite: 'allow'", async () => {
    const out = await evaluateReference(product(), { x: tensor([4, NaN], [2]), w }, { nonFinite: 'allow' });
    expect(Array.from(out.y.data)).toEqual([8, NaN]);
  });

  it('rejects values that do not fill the shape and things that are not tensors', () => {
    const g = product();
    const needed = g.nodes.filter((n) => n.op === 'Input' || n.op === 'Param');
    const short: Tensor = { dtype: 'float64', shape: [2], data: new Float64Array(3) };
    const e = sasError(() => checkFeeds(g, needed, { x: short, w }, 'error'));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe("feed 'x': 3 values do not fill shape [2]");
    const e2 = sasError(() => checkFeeds(g, needed, { x: [4, 5] as unknown as Tensor, w }, 'error'));
    expect(e2.code).toBe('E_INPUT');
    expect(e2.message).toBe("feed 'x': expected a tensor {shape, data: Float32Array|Float64Array}");
    const e3 = sasError(() => checkFeeds(g, needed, null as unknown as Record<string, Tensor>, 'error'));
    expect(e3.code).toBe('E_INPUT');
  });

  it('checks only the feeds a run needs', () => {
    const g = product();
    const onlyX = g.nodes.filter((n) => n.op === 'Input');
    // w is known but not needed, so its shape is not checked here.
    expect(() => checkFeeds(g, onlyX, { x: tensor([1, 2], [2]), w: tensor([1], [1]) }, 'error')).not.toThrow();
  });
});

/**
 * The reference kernels but those excluded: a table that lacks primitives,
 * which only a JavaScript caller (no compiler to refuse it) could hand over.
 */
function referenceKernels(except: readonly string[]): KernelTable<RefTensor, GraphContext> {
  const kernels: Record<string, unknown> = { ...REFERENCE_KERNELS };
  for (const op of except) delete kernels[op];
  return kernels as KernelTable<RefTensor, GraphContext>;
}

function kernelBackend(except: readonly string[]) {
  return createKernelBackend<RefTensor, GraphContext>({
    name: 'test-kernels',
    mode: 'cpu',
    dtypes: ['float64'],
    kernels: referenceKernels(except),
    context: (graph) => ({ graph }),
    upload: (t) => ({ shape: t.shape, data: Float64Array.from(t.data) }),
    download: (h, n) => ({ dtype: n.dtype, shape: n.shape, data: h.data }),
    release: () => {},
  });
}

describe('lowerGraph', () => {
  // Rows [0, −Inf, ln 3] → [1, 0, 3]/4 and [1000, 1001, 1000] → [1, e, 1]/(2 + e)
  const X = tensor([0, -Infinity, Math.log(3), 1000, 1001, 1000], [2, 3]);
  const EXPECTED = [0.25, 0, 0.75, 1 / (2 + Math.E), Math.E / (2 + Math.E), 1 / (2 + Math.E)];

  function softmaxGraph(): Graph {
    const b = new GraphBuilder('float64');
    b.output('p', softmax(b.input('x', [2, 3])));
    return b.build();
  }

  it('replaces Softmax by its decomposition when the backend lacks it', () => {
    const lowered = lowerGraph(softmaxGraph(), (op) => op !== 'Softmax', 'no-softmax');
    const ops = lowered.nodes.map((n) => n.op);
    expect(ops).not.toContain('Softmax');
    expect(ops).toEqual(expect.arrayContaining(['ReduceMax', 'Sub', 'Exp', 'ReduceSum', 'Div']));
    expect(Object.keys(lowered.outputs)).toEqual(['p']);
    expect(lowered.nodes[lowered.outputs.p].shape).toEqual([2, 3]);
    expect(() => verifyGraph(lowered)).not.toThrow();
  });

  it('gives the same numbers as the fused op, masked and large rows included', async () => {
    const g = softmaxGraph();
    const fused = await evaluateReference(g, { x: X }, { nonFinite: 'allow' });
    const lowered = await evaluateReference(
      lowerGraph(g, (op) => op !== 'Softmax', 'no-softmax'),
      { x: X },
      { nonFinite: 'allow' },
    );
    expectClose(fused.p.data, EXPECTED);
    expectClose(lowered.p.data, EXPECTED);
  });

  it('is applied by a kernel backend that has no Softmax kernel', async () => {
    const backend = kernelBackend(['Softmax']);
    const out = await backend.run(softmaxGraph(), { x: X }, { nonFinite: 'allow' });
    expectClose(out.p.data, EXPECTED);
    expect(backend.liveHandles()).toBe(0);
  });

  it('returns the graph itself when every op has a kernel', () => {
    const g = softmaxGraph();
    expect(lowerGraph(g, () => true, 'all')).toBe(g);
  });

  it('fails naming the backend and the op when an op has neither kernel nor decomposition', async () => {
    const b = new GraphBuilder('float64');
    b.output('y', matMul(b.input('a', [2, 2]), b.input('c', [2, 2])));
    const e = sasError(() => lowerGraph(b.build(), (op) => op !== 'MatMul', 'tiny'));
    expect(e.code).toBe('E_BACKEND');
    expect(e.message).toBe("backend 'tiny' has no kernel for op 'MatMul', and 'MatMul' has no decomposition");
    const e2 = await sasRejection(kernelBackend(['MatMul']).run(b.build(), { a: tensor([1, 0, 0, 1], [2, 2]), c: tensor([1, 2, 3, 4], [2, 2]) }));
    expect(e2.code).toBe('E_BACKEND');
    expect(e2.message).toContain("no kernel for op 'MatMul'");
  });
});
