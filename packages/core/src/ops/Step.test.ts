import { describe, expect, it } from 'vitest';
import { GraphBuilder, SasError, step, evaluateReference, tensor, verifyGraph, type Graph, type NodeRef, type Tensor } from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** Builds `f(x)` on a float64 graph and evaluates it with the reference interpreter (non-finite feeds allowed). */
async function run(values: number[], shape: number[], f: (x: NodeRef) => NodeRef): Promise<Tensor> {
  const b = new GraphBuilder('float64');
  b.output('y', f(b.input('x', shape)));
  return (await evaluateReference(b.build(), { x: tensor(values, shape) }, { nonFinite: 'allow' })).y;
}

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

describe('Step', () => {
  it('gives 1 where x > 0 and 0 elsewhere', async () => {
    // [[−2,0.5],[3,−0.1]]
    const y = await run([-2, 0.5, 3, -0.1], [2, 2], step);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([0, 1, 1, 0]);
  });

  it('is 0 at 0 and −0 (so Relu has derivative 0 at 0, as in PyTorch)', async () => {
    const y = await run([0, -0, Number.MIN_VALUE], [3], step);
    expect(Array.from(y.data)).toEqual([0, 0, 1]);
  });

  it('maps ±Inf to 1/0 and keeps NaN as NaN', async () => {
    const y = await run([Infinity, -Infinity, NaN], [3], step);
    expect(Array.from(y.data)).toEqual([1, 0, NaN]);
  });
});

describe('Step errors', () => {
  const build = (): Graph => {
    const b = new GraphBuilder('float64');
    b.output('y', step(b.input('x', [2, 2])));
    return b.build();
  };

  it('refuses a wrong number of inputs', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const e = sasError(() => b.apply('Step', [x, x]));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('Step: expected 1 inputs, got 2');
  });

  it('verifyGraph refuses a recorded shape other than the input shape', () => {
    const g = build();
    const tampered: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Step' ? { ...n, shape: [4] } : n)) };
    const e = sasError(() => verifyGraph(tampered));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('graph node 1 (Step): recorded shape [4] but the op infers [2,2]');
  });

  it('verifyGraph refuses a node whose dtype differs from the graph', () => {
    const g = build();
    const tampered: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Step' ? { ...n, dtype: 'float32' as const } : n)) };
    const e = sasError(() => verifyGraph(tampered));
    expect(e.code).toBe('E_DTYPE');
    expect(e.message).toBe("graph node 1 (Step): dtype float32 differs from the graph's float64");
  });

  it('refuses a feed of another shape at run time', async () => {
    const e = await sasRejection(evaluateReference(build(), { x: tensor([1, 2, 3, 4], [4]) }));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe("feed 'x': expected shape [2,2], got [4]");
  });
});
