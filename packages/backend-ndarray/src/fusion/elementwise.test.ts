// Elementwise groups: the planner (which nodes join, which are stored, when a
// reader outside forbids a join), the register program against the float64
// reference on chains with every op, broadcast operands, stored members,
// closing sums and special values, and the fallback when only part of a
// group is asked for.
import { describe, expect, it } from 'vitest';
import {
  add,
  div,
  equal,
  evaluateReference,
  exp,
  grad,
  GraphBuilder,
  log,
  matMul,
  mul,
  neg,
  randomNormal,
  reduceSum,
  relu,
  reshape,
  sqrt,
  step,
  sub,
  tanh,
  type Graph,
  type Tensor,
} from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { compileProgram, programSource } from '../lib/elementwise-codegen.js';
import { BLOCK, registerLength, runProgram, type ElementwiseProgram } from '../lib/elementwise-program.js';
import { expectClose } from '../test/helpers.js';
import { broadcastPattern, type ElementwiseFusion } from './elementwise-plan.js';
import { planFusion } from './plan.js';

/** The elementwise roots of a graph's plan, with their roles. */
function groups(graph: Graph): [number, ElementwiseFusion][] {
  return [...planFusion(graph)].filter(([, r]) => r.kind === 'elementwise').map(([n, r]) => [n.id, r as ElementwiseFusion]);
}

/** Runs `graph` fused, unfused and on the reference; both ndarray runs must match the reference. */
async function checkAgainstReference(graph: Graph, feeds: Record<string, Tensor>, atol = 1e-5, rtol = 1e-5): Promise<void> {
  const ref = await evaluateReference(graph, feeds, { nonFinite: 'allow' });
  for (const fuse of [true, false]) {
    const ours = await createNdarrayBackend({ fuse }).run(graph, feeds, { nonFinite: 'allow' });
    for (const name of Object.keys(graph.outputs)) expectClose(ours[name], ref[name], atol, rtol, `${name} (fuse ${fuse})`);
  }
}

/** GELU, tanh form, as the model builds it. */
function gelu(x: ReturnType<GraphBuilder['input']>) {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

describe('broadcastPattern', () => {
  it('reads an operand as it lies, as one value, per row or per column, and refuses split axes', () => {
    expect(broadcastPattern([4, 8], [4, 8])).toEqual({ inner: 1, count: 32 });
    expect(broadcastPattern([], [4, 8])).toEqual({ inner: 1, count: 1 });
    expect(broadcastPattern([1, 1], [4, 8])).toEqual({ inner: 1, count: 1 });
    expect(broadcastPattern([8], [4, 8])).toEqual({ inner: 1, count: 8 });
    expect(broadcastPattern([4, 1], [4, 8])).toEqual({ inner: 8, count: 4 });
    expect(broadcastPattern([3, 1, 1], [3, 4, 5])).toEqual({ inner: 20, count: 3 });
    expect(broadcastPattern([4, 1], [2, 4, 5])).toEqual({ inner: 5, count: 4 });
    expect(broadcastPattern([3, 1, 5], [3, 4, 5])).toBeUndefined();
    expect(broadcastPattern([2, 4, 5], [4, 5])).toBeUndefined();
  });
});

describe('runProgram', () => {
  it('evaluates registers block by block, stores rounded to the output dtype and sums in double', () => {
    const size = BLOCK * 2 + 5;
    const x = randomNormal([size], 1, 'float32').data as Float32Array;
    const program: ElementwiseProgram = {
      size,
      registers: 2,
      outputs: 1,
      sums: 1,
      float32: true,
      instructions: [
        { kind: 'load', dst: 1, leaf: 1, inner: 1, count: 3 },
        { kind: 'binary', op: 'Mul', dst: 0, a: { kind: 'full', leaf: 0 }, b: { kind: 'reg', reg: 1 } },
        { kind: 'unary', op: 'Exp', dst: 0, a: { kind: 'reg', reg: 0 } },
        { kind: 'store', reg: 0, out: 0 },
        { kind: 'sum', reg: 0, acc: 0 },
      ],
    };
    const y = new Float32Array(size);
    const [total] = runProgram(program, [x, Float32Array.of(1, 2, 3)], [y], new Float64Array(2 * BLOCK));
    let expected = 0;
    for (let i = 0; i < size; i++) {
      const v = Math.exp(x[i] * (1 + (i % 3)));
      expect(y[i]).toBe(Math.fround(v));
      expected += v;
    }
    expect(total).toBeCloseTo(expected, 6);
  });
});

describe('compileProgram', () => {
  it("generates one loop whose stores and sums equal the interpreter's bit for bit, for every group of a GELU gradient", () => {
    const b = new GraphBuilder();
    const x = b.input('x', [3, BLOCK / 2 + 9]);
    const perRow = b.input('r', [3, 1]);
    b.output('loss', reduceSum(mul(gelu(x), add(b.input('c', [3, BLOCK / 2 + 9]), perRow)), [0, 1]));
    const graph = grad(b.build(), 'loss', { wrt: ['x', 'r'] });
    const found = groups(graph);
    expect(found.length).toBeGreaterThan(1);
    for (const [root, role] of found) {
      const leaves = role.leaves.map((id, k) => randomNormal(graph.nodes[id].shape, 10 * root + k).data);
      const run = (generated: boolean) => {
        const outputs = role.stores.map((st) => new Float32Array(st.shape.reduce((a, d) => a * d, 1)));
        const sums = generated
          ? compileProgram(role.program)(leaves, outputs)
          : runProgram(role.program, leaves, outputs, new Float64Array(role.program.registers * registerLength(role.program.size)));
        return { outputs: outputs.map((o) => [...o]), sums };
      };
      expect(run(true), `group at node ${root}`).toEqual(run(false));
    }
  });

  it('writes only the program structure into the source: indices and integers', () => {
    const source = programSource({
      size: 10,
      registers: 2,
      outputs: 1,
      sums: 1,
      float32: true,
      instructions: [
        { kind: 'load', dst: 1, leaf: 2, inner: 5, count: 2 },
        { kind: 'binary', op: 'Equal', dst: 0, a: { kind: 'full', leaf: 0 }, b: { kind: 'reg', reg: 1 } },
        { kind: 'unary', op: 'Tanh', dst: 0, a: { kind: 'reg', reg: 0 } },
        { kind: 'store', reg: 0, out: 0 },
        { kind: 'sum', reg: 0, acc: 0 },
      ],
    });
    expect(source).toContain('r1 = l2[((i / 5) | 0) % 2];');
    expect(source).toContain('r0 = (l0[i] === r1 ? 1 : 0);');
    expect(source).toContain('r0 = tanh(r0);');
    expect(source).toContain('o0[i] = r0;');
    expect(() => programSource({ size: 1.5, registers: 0, outputs: 0, sums: 0, float32: true, instructions: [] })).toThrow(/not an integer/);
  });
});

describe('planElementwise', () => {
  it('makes GELU one group at its last node, storing nothing but the root when nothing else reads the chain', () => {
    const b = new GraphBuilder();
    b.output('y', gelu(b.input('x', [4, 8])));
    const graph = b.build();
    const found = groups(graph);
    expect(found).toHaveLength(1);
    const [root, role] = found[0];
    expect(root).toBe(graph.outputs.y);
    expect(role.members).toHaveLength(9);
    expect(role.stores.map((s) => s.id)).toEqual([root]);
    expect(role.program.instructions.filter((i) => i.kind === 'unary' || i.kind === 'binary')).toHaveLength(9);
  });

  it("GELU's gradient graph: one group forward (storing what the backward reads) and one backward", () => {
    const b = new GraphBuilder();
    const x = b.input('x', [4, 8]);
    b.output('loss', reduceSum(mul(gelu(x), b.input('c', [4, 8])), [0, 1]));
    const graph = grad(b.build(), 'loss', { wrt: ['x'] });
    const found = groups(graph);
    const forward = found.find(([, r]) => r.members.some((m) => graph.nodes[m].op === 'Tanh'))!;
    const backward = found.find(([root]) => root === graph.outputs['grad.x'])!;
    expect(forward[1].stores.length).toBeGreaterThan(1);
    expect(backward[1].members.length).toBeGreaterThan(8);
  });

  it('does not join a node to a group whose member another node read in between (that node needs the value first)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [3, 4]);
    const a = exp(x);
    const between = matMul(a, b.param('w', [4, 4]));
    const c = add(a, 1);
    b.output('y', mul(c, between));
    const graph = b.build();
    const found = groups(graph);
    expect(found).toHaveLength(1);
    const [root, role] = found[0];
    expect(root).toBe(graph.outputs.y);
    // a stays its own kernel (a one-member group runs unfused); c joins y's group.
    expect(role.members).toEqual([b.nodeOf(c).id, root]);
    expect(role.leaves).toContain(b.nodeOf(a).id);
  });

  it('closes a group with a ReduceSum over every axis, and starts a scalar group after it', () => {
    const b = new GraphBuilder();
    const g1 = b.input('g1', [5, 3]);
    const g2 = b.input('g2', [7]);
    const norm = sqrt(add(reduceSum(mul(g1, g1), [0, 1]), reduceSum(mul(g2, g2), [0])));
    b.output('coef', div(1, add(norm, 1e-6)));
    const graph = b.build();
    const found = groups(graph);
    expect(found.filter(([, r]) => r.sum)).toHaveLength(2);
    const scalar = found.find(([root]) => root === graph.outputs.coef)!;
    expect(scalar[1].program.size).toBe(1);
    expect(scalar[1].members.length).toBe(4);
  });
});

describe('fused elementwise groups match the reference', () => {
  it('every op, broadcast operands (rows, columns, scalars), stored members and sums, across block edges', async () => {
    const rows = 3;
    const w = BLOCK / 2 + 7; // groups of 3·(BLOCK/2 + 7) elements: blocks end inside rows
    const b = new GraphBuilder();
    const x = b.input('x', [rows, w]);
    const y = b.input('y', [rows, w]);
    const perRow = b.input('perRow', [rows, 1]);
    const perColumn = b.input('perColumn', [w]);
    const s = b.input('s', []);
    const a = add(mul(x, perColumn), sub(y, perRow)); // binary with both broadcast kinds
    const e = exp(neg(relu(a))); // unary chain
    const t = tanh(div(e, add(s, 2)));
    const l = log(add(sqrt(mul(y, y)), 1));
    const q = mul(step(x), equal(reshape(step(y), [rows, w]), 1));
    b.output('t', t); // a stored member the next group reads
    b.output('z', add(mul(t, l), q));
    b.output('total', reduceSum(mul(e, t), [0, 1], true));
    const graph = b.build();
    expect(groups(graph).length).toBeGreaterThan(0);
    const feeds = {
      x: randomNormal([rows, w], 1),
      y: randomNormal([rows, w], 2),
      perRow: randomNormal([rows, 1], 3),
      perColumn: randomNormal([w], 4),
      s: randomNormal([], 5),
    };
    await checkAgainstReference(graph, feeds, 1e-5, 1e-4);
  });

  it('keeps NaN, ±Infinity and −0 as the single-op kernels do (float64, exactly)', async () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [9]);
    b.output('y', add(mul(relu(x), step(x)), neg(tanh(x))));
    b.output('q', div(sqrt(x), exp(x)));
    const graph = b.build();
    expect(groups(graph).length).toBeGreaterThan(0);
    const specials = [0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, -700];
    const feeds = { x: { dtype: 'float64' as const, shape: [9], data: Float64Array.from(specials) } };
    const [fused, unfused] = await Promise.all([
      createNdarrayBackend().run(graph, feeds, { nonFinite: 'allow' }),
      createNdarrayBackend({ fuse: false }).run(graph, feeds, { nonFinite: 'allow' }),
    ]);
    for (const name of ['y', 'q'])
      expect(
        [...fused[name].data].map((v) => (Object.is(v, -0) ? '-0' : v)),
        name,
      ).toEqual([...unfused[name].data].map((v) => (Object.is(v, -0) ? '-0' : v)));
  });

  it('GELU forward and backward (float32 and float64)', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const b = new GraphBuilder(dtype);
      const x = b.input('x', [6, 40]);
      b.output('loss', reduceSum(mul(gelu(x), b.input('c', [6, 40])), [0, 1]));
      const graph = grad(b.build(), 'loss', { wrt: ['x'] });
      const feeds = { x: randomNormal([6, 40], 7, dtype), c: randomNormal([6, 40], 8, dtype) };
      for (let i = 0; i < 40; i++) feeds.x.data[i] *= 6; // saturated tanh too
      await checkAgainstReference(graph, feeds, dtype === 'float32' ? 1e-5 : 1e-12, dtype === 'float32' ? 1e-5 : 1e-12);
    }
  });

  it('computes a stored member asked for alone, without the rest of its group', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [4, 5]);
    const u = tanh(mul(x, 2));
    b.output('u', u);
    b.output('y', add(mul(u, u), 1));
    const graph = b.build();
    expect(groups(graph)).toHaveLength(1);
    const feeds = { x: randomNormal([4, 5], 3) };
    const backend = createNdarrayBackend();
    const only = await backend.run(graph, feeds, { outputs: ['u'] });
    const ref = await evaluateReference(graph, feeds);
    expectClose(only.u, ref.u, 1e-6, 1e-6, 'u alone');
    const both = await backend.run(graph, feeds);
    expectClose(both.y, ref.y, 1e-6, 1e-6, 'y');
    expect(backend.liveHandles()).toBe(0);
  });

  it('runs a group as one kernel call', async () => {
    const b = new GraphBuilder();
    b.output('y', gelu(b.input('x', [4, 8])));
    const labels: string[] = [];
    await createNdarrayBackend({ onKernel: (op) => labels.push(op) }).run(b.build(), { x: randomNormal([4, 8], 1) });
    expect(labels).toEqual(['Elementwise(fused)']);
  });
});
