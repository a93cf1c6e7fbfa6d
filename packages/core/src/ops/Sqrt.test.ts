import { describe, expect, it } from 'vitest';
import { GraphBuilder, SasError, sqrt, evaluateReference, tensor, verifyGraph, type Graph, type NodeRef, type Tensor } from '@sas/core';
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

/** Elementwise closeness within 1e-15 relative, with non-finite values compared exactly. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (!Number.isFinite(e)) expect(a).toBe(e);
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(e)));
  });
}

describe('Sqrt', () => {
  it('computes square roots elementwise', async () => {
    const y = await run([0, 1, 4, 2.25], [2, 2], sqrt);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([0, 1, 2, 1.5]);
    const two = await run([2], [1], sqrt);
    expectClose(two.data, [1.4142135623730951]);
  });

  it('gives NaN below 0, keeps −0 and +Inf (IEEE)', async () => {
    const y = await run([-1, -0, Infinity, NaN], [4], sqrt);
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(Object.is(y.data[1], -0)).toBe(true);
    expect(y.data[2]).toBe(Infinity);
    expect(Number.isNaN(y.data[3])).toBe(true);
  });
});

describe('Sqrt errors', () => {
  const build = (): Graph => {
    const b = new GraphBuilder('float64');
    b.output('y', sqrt(b.input('x', [2, 2])));
    return b.build();
  };

  it('refuses a wrong number of inputs', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const e = sasError(() => b.apply('Sqrt', [x, x]));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('Sqrt: expected 1 inputs, got 2');
  });

  it('verifyGraph refuses a recorded shape other than the input shape', () => {
    const g = build();
    const tampered: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Sqrt' ? { ...n, shape: [4] } : n)) };
    const e = sasError(() => verifyGraph(tampered));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('graph node 1 (Sqrt): recorded shape [4] but the op infers [2,2]');
  });

  it('verifyGraph refuses a node whose dtype differs from the graph', () => {
    const g = build();
    const tampered: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Sqrt' ? { ...n, dtype: 'float32' as const } : n)) };
    const e = sasError(() => verifyGraph(tampered));
    expect(e.code).toBe('E_DTYPE');
    expect(e.message).toBe("graph node 1 (Sqrt): dtype float32 differs from the graph's float64");
  });

  it('refuses a feed of another shape at run time', async () => {
    const e = await sasRejection(evaluateReference(build(), { x: tensor([1, 2, 3, 4], [4]) }));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe("feed 'x': expected shape [2,2], got [4]");
  });
});
