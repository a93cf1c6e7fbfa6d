import { describe, expect, it } from 'vitest';
import { add, evaluateReference, grad, GraphBuilder, matMul, randomNormal, reduceSum, relu, step, mul, tensor } from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { expectClose } from '../test/helpers.js';
import { planFusion } from './plan.js';

describe("Relu's VJP as one pass (g · step(x))", () => {
  it('is planned in a layer-like gradient graph and matches the reference, NaN, 0 and −0 included', async () => {
    const b = new GraphBuilder('float32');
    const x = b.input('x', [2, 3]);
    const w = b.param('w', [3, 3]);
    b.output('loss', reduceSum(matMul(relu(matMul(x, w)), w), [0, 1]));
    const g = grad(b.build(), 'loss', { wrt: ['x', 'w'] });
    const gates = [...planFusion(g).entries()].filter(([, r]) => r.kind === 'gate');
    expect(gates.map(([n]) => n.op)).toEqual(['Mul']);
    const feeds = { x: tensor([1, -2, 0.5, 3, -1, 2], [2, 3], 'float32'), w: tensor([1, -1, 0, 0.5, 2, -3, -0, 1, 1], [3, 3], 'float32') };
    const [ours, ref] = await Promise.all([createNdarrayBackend().run(g, feeds), evaluateReference(g, feeds)]);
    for (const name of ['grad.x', 'grad.w']) expectClose(ours[name], ref[name], 1e-6, 1e-6, name);
  });

  it('folds the Add of a residual cotangent into the same pass, exactly as the unfused pair', async () => {
    const b = new GraphBuilder('float64');
    const gIn = b.input('g', [7]);
    const x = b.input('x', [7]);
    const c = b.input('c', [7]);
    b.output('y', add(c, mul(gIn, step(x))));
    const graph = b.build();
    const roots = [...planFusion(graph).entries()].filter(([, r]) => r.kind === 'gate');
    expect(roots.map(([n]) => n.op)).toEqual(['Add']);
    const feeds = {
      g: tensor([1, Infinity, NaN, 2, -3, 0.1, -0], [7]),
      x: tensor([2, -1, 1, NaN, -0, 3, 5], [7]),
      c: tensor([0.5, 1, 2, -0, -0, 0.2, 0], [7]),
    };
    const [ours, ref] = await Promise.all([
      createNdarrayBackend().run(graph, feeds, { nonFinite: 'allow' }),
      evaluateReference(graph, feeds, { nonFinite: 'allow' }),
    ]);
    expect([...ours.y.data]).toEqual([...ref.y.data]);
  });

  it('a residual MLP gradient (the SAS feature map) plans Add+Mul+Step roots and matches the reference', async () => {
    const b = new GraphBuilder('float32');
    const x = b.input('x', [4, 6]);
    const a = matMul(x, b.param('w1', [6, 6]));
    b.output('loss', reduceSum(mul(add(a, matMul(relu(a), b.param('w2', [6, 6]))), b.input('c', [4, 6])), [0, 1]));
    const g = grad(b.build(), 'loss', { wrt: ['x', 'w1', 'w2'] });
    const roots = [...planFusion(g).entries()].filter(([, r]) => r.kind === 'gate');
    expect(roots.map(([n]) => n.op)).toEqual(['Add']);
    const feeds = {
      x: randomNormal([4, 6], 1, 'float32'),
      w1: randomNormal([6, 6], 2, 'float32'),
      w2: randomNormal([6, 6], 3, 'float32'),
      c: randomNormal([4, 6], 4, 'float32'),
    };
    const [ours, ref] = await Promise.all([createNdarrayBackend().run(g, feeds), evaluateReference(g, feeds)]);
    for (const name of ['grad.x', 'grad.w1', 'grad.w2']) expectClose(ours[name], ref[name], 1e-5, 1e-5, name);
  });

  it('keeps the exact product for non-finite and signed-zero values', async () => {
    const b = new GraphBuilder('float64');
    const gIn = b.input('g', [6]);
    const x = b.input('x', [6]);
    b.output('y', mul(gIn, step(x)));
    const graph = b.build();
    expect([...planFusion(graph).values()].some((r) => r.kind === 'gate')).toBe(true);
    const feeds = { g: tensor([1, Infinity, NaN, 2, -3, Infinity], [6]), x: tensor([2, -1, 1, NaN, -0, 0], [6]) };
    const [ours, ref] = await Promise.all([
      createNdarrayBackend().run(graph, feeds, { nonFinite: 'allow' }),
      evaluateReference(graph, feeds, { nonFinite: 'allow' }),
    ]);
    expect([...ours.y.data]).toEqual([...ref.y.data]);
  });
});
