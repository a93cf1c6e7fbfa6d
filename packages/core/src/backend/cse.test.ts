import { describe, expect, it } from 'vitest';
import { add, attention, evaluateReference, exp, grad, GraphBuilder, lowerGraph, mergeCommonSubexpressions, mul, reduceSum, tensor } from '@sas/core';

describe('mergeCommonSubexpressions', () => {
  it('merges repeated pure nodes and keeps the function', async () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    b.output('y', add(exp(x), exp(x)));
    const g = b.build();
    const merged = mergeCommonSubexpressions(g);
    expect(merged.nodes.map((n) => n.op)).toEqual(['Input', 'Exp', 'Add']);
    const feeds = { x: tensor([0, 1], [2]) };
    expect((await evaluateReference(merged, feeds)).y.data).toEqual((await evaluateReference(g, feeds)).y.data);
  });

  it('keeps constants that differ only as −0/0 or NaN/Infinity apart, and returns the graph itself when nothing merges', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [1]);
    b.output('a', add(mul(x, 0), mul(x, -0)));
    b.output('b', add(mul(x, NaN), mul(x, Infinity)));
    const g = b.build();
    expect(mergeCommonSubexpressions(g)).toBe(g);
  });

  it('lowering an attention and its three gradients computes the probabilities once', () => {
    const b = new GraphBuilder();
    const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [2, 5, 4]));
    b.output('loss', reduceSum(attention(q, k, v, { scale: 0.5, causal: true }), [0, 1, 2]));
    const g = grad(b.build(), 'loss', { wrt: ['q', 'k', 'v'] });
    const lowered = lowerGraph(g, (op) => op !== 'Attention' && op !== 'AttentionGrad', 'test');
    expect(lowered.nodes.filter((n) => n.op === 'Softmax')).toHaveLength(1);
    expect(
      lowered.nodes.filter((n) => n.op === 'MatMul' && n.attrs.transposeB === true && n.inputs[0] === lowered.nodes.find((m) => m.op === 'Input')!.id),
    ).toHaveLength(1);
  });
});
