import { describe, expect, it } from 'vitest';
import {
  add,
  applyRewrites,
  createKernelBackend,
  evaluateReference,
  exp,
  graphView,
  GraphBuilder,
  matchPattern,
  mul,
  REFERENCE_KERNELS,
  relu,
  tensor,
  type FusedPayload,
  type Graph,
  type GraphContext,
  type RefTensor,
  type Rewrite,
} from '@sas/core';

/** exp(relu(x)) as one fused node: the Relu is absorbed. */
interface ExpRelu extends FusedPayload {
  readonly kind: 'exp-relu';
}
const EXP_RELU: Rewrite<ExpRelu> = {
  name: 'exp-relu',
  pattern: { op: 'Exp', inputs: [{ op: 'Relu', single: true, free: true, name: 'relu' }] },
  build: (m) => ({ root: m.root.id, absorbs: [m.relu.id], payload: { kind: 'exp-relu' } }),
};

function expReluGraph(n: number): Graph {
  const b = new GraphBuilder('float64');
  const x = b.input('x', [n]);
  b.output('y', add(exp(relu(x)), x));
  return b.build();
}

/** A float64 backend on the reference kernels that fuses exp(relu(x)), counting what runs. */
function toyBackend(options: { maxElements?: number; scratch?: number[]; decline?: boolean } = {}) {
  const counts = { plans: 0, fused: 0, absorbed: 0, relu: 0, ownRelu: 0 };
  type Lazy = RefTensor | { readonly lazy: () => RefTensor };
  const force = (v: Lazy): RefTensor => ('lazy' in v ? v.lazy() : v);
  const backend = createKernelBackend<Lazy, GraphContext>({
    name: 'toy',
    mode: 'cpu',
    dtypes: ['float64'],
    kernels: {
      ...Object.fromEntries(
        Object.entries(REFERENCE_KERNELS).map(([op, k]) => [
          op,
          (inputs: readonly Lazy[], node: never, ctx: GraphContext) => {
            if (op === 'Relu') counts.relu++;
            return (k as (i: readonly RefTensor[], n: never, c: GraphContext) => RefTensor)(inputs.map(force), node, ctx);
          },
        ]),
      ),
    } as never,
    context: (graph) => ({ graph }),
    upload: (t) => ({ shape: t.shape, data: Float64Array.from(t.data) }),
    download: (h, node) => ({ dtype: node.dtype, shape: node.shape, data: force(h).data }),
    release: () => {},
    maxElements: options.maxElements,
    fusion: {
      plan: (graph) => {
        counts.plans++;
        const plan = applyRewrites(graph, [EXP_RELU]);
        if (!options.scratch) return plan;
        return { ...plan, fused: new Map([...plan.fused].map(([id, f]) => [id, { ...f, allocates: [options.scratch!] }])) };
      },
      kernels: {
        'exp-relu': (inputs) => {
          if (options.decline) return undefined;
          counts.fused++;
          const x = force((inputs[0] as unknown as { x: Lazy }).x);
          return { shape: x.shape, data: x.data.map((v) => Math.exp(Math.max(v, 0))) };
        },
      },
      absorb: (inputs, _node, _ctx, own) => {
        counts.absorbed++;
        return { x: inputs[0], lazy: () => (counts.ownRelu++, force(own(inputs))) } as Lazy;
      },
    },
  });
  return { backend, counts };
}

describe('patterns', () => {
  it('match by op, inputs, single use, names and predicates; commutative patterns try both orders', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const r = relu(x);
    b.output('y', mul(x, exp(r)));
    b.output('r', r);
    const g = b.build();
    const view = graphView(g);
    const root = g.nodes[3];
    // Relu is also an output: not single.
    expect(matchPattern({ op: 'Exp', inputs: [{ op: 'Relu', single: true }] }, g.nodes[2], view)).toBeUndefined();
    expect(matchPattern({ op: 'Exp', inputs: [{ op: 'Relu', name: 'r' }] }, g.nodes[2], view)?.r.id).toBe(1);
    expect(matchPattern({ op: 'Mul', inputs: [{ op: 'Exp' }, { op: 'Input' }] }, root, view)).toBeUndefined();
    const m = matchPattern(
      {
        op: 'Mul',
        commutative: true,
        inputs: [
          { op: 'Exp', name: 'e' },
          { op: 'Input', name: 'x' },
        ],
      },
      root,
      view,
    );
    expect([m?.e.id, m?.x.id, m?.root.id]).toEqual([2, 0, 3]);
    expect(matchPattern({ op: ['Add', 'Mul'], where: (n) => n.shape[0] === 3 }, root, view)).toBeUndefined();
    // One name bound twice must be the same node: mul(x, exp(..)) has no x·x.
    expect(matchPattern({ op: 'Mul', inputs: [{ name: 'a' }, { name: 'a' }] }, root, view)).toBeUndefined();
  });
});

describe('createKernelBackend with rewrites', () => {
  const x = tensor([-1, 0.5, 2, -3], [4], 'float64');

  it('runs the fused kernel instead of the matched nodes, with the reference interpreter’s result, and plans a graph once', async () => {
    const { backend, counts } = toyBackend();
    const g = expReluGraph(4);
    const expected = (await evaluateReference(g, { x })).y.data;
    for (let run = 0; run < 2; run++) expect(Array.from((await backend.run(g, { x })).y.data)).toEqual(Array.from(expected));
    expect(counts).toEqual({ plans: 1, fused: 2, absorbed: 2, relu: 0, ownRelu: 0 });
  });

  it('falls back to the root’s own kernel when the fused kernel declines, computing the absorbed node on demand', async () => {
    const { backend, counts } = toyBackend({ decline: true });
    const g = expReluGraph(4);
    expect(Array.from((await backend.run(g, { x })).y.data)).toEqual(Array.from((await evaluateReference(g, { x })).y.data));
    expect(counts.ownRelu).toBe(1);
    expect(counts.relu).toBe(1);
  });

  it('checks capacity on what is allocated: an absorbed node is not refused, a fused node’s scratch tensor is', async () => {
    // Relu [4] is absorbed; Input, Exp and Add are [4] too, so a limit of 4 passes...
    await expect(toyBackend({ maxElements: 4 }).backend.run(expReluGraph(4), { x })).resolves.toBeDefined();
    // ...and one of 3 refuses the input, before anything runs.
    await expect(toyBackend({ maxElements: 3 }).backend.run(expReluGraph(4), { x })).rejects.toThrow(
      "backend 'toy' (cpu): node 0 (Input 'x') of shape [4] has 4 elements, more than the 3",
    );
    const scratch = toyBackend({ maxElements: 4, scratch: [5] });
    await expect(scratch.backend.run(expReluGraph(4), { x })).rejects.toThrow(
      "backend 'toy' (cpu): a scratch tensor of fused node 2 (Exp) of shape [5] has 5 elements, more than the 4",
    );
    expect(scratch.counts.fused).toBe(0);
  });

  it('a later rewrite folds an earlier fused node in: the earlier root is absorbed', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    b.output('y', add(exp(relu(x)), x));
    const g = b.build();
    const fold: Rewrite<FusedPayload> = {
      name: 'add-exp-relu',
      pattern: { op: 'Add', inputs: [{ where: (n, view) => view.fused(n.id)?.payload.kind === 'exp-relu', name: 'inner' }] },
      build: (m) => ({ root: m.root.id, absorbs: [m.inner.id], payload: { kind: 'add-exp-relu' } }),
    };
    const plan = applyRewrites(g, [EXP_RELU, fold]);
    expect([...plan.fused.keys()]).toEqual([3]);
    expect([...plan.absorbed].sort()).toEqual([1, 2]);
  });
});
