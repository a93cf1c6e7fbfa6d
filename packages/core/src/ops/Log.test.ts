import { describe, expect, it } from 'vitest';
import { GraphBuilder, SasError, log, evaluateReference, tensor, verifyGraph, type Graph, type NodeRef, type Tensor } from '@sas/core';
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

describe('Log', () => {
  it('computes the natural logarithm elementwise', async () => {
    // ln 1 = 0, ln e = 1, ln 0.5 = −ln 2, ln e² = 2
    const y = await run([1, Math.E, 0.5, Math.E * Math.E], [2, 2], log);
    expect(y.shape).toEqual([2, 2]);
    expectClose(y.data, [0, 1, -0.6931471805599453, 2]);
  });

  it('gives −Inf at 0 (either sign), NaN below 0, +Inf at +Inf (IEEE)', async () => {
    const y = await run([0, -0, -1, Infinity, NaN], [5], log);
    expect(Array.from(y.data)).toEqual([-Infinity, -Infinity, NaN, Infinity, NaN]);
  });
});

describe('Log errors', () => {
  const build = (): Graph => {
    const b = new GraphBuilder('float64');
    b.output('y', log(b.input('x', [2, 2])));
    return b.build();
  };

  it('refuses a wrong number of inputs', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const e = sasError(() => b.apply('Log', [x, x]));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('Log: expected 1 inputs, got 2');
  });

  it('verifyGraph refuses a recorded shape other than the input shape', () => {
    const g = build();
    const tampered: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Log' ? { ...n, shape: [4] } : n)) };
    const e = sasError(() => verifyGraph(tampered));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('graph node 1 (Log): recorded shape [4] but the op infers [2,2]');
  });

  it('verifyGraph refuses a node whose dtype differs from the graph', () => {
    const g = build();
    const tampered: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Log' ? { ...n, dtype: 'float32' as const } : n)) };
    const e = sasError(() => verifyGraph(tampered));
    expect(e.code).toBe('E_DTYPE');
    expect(e.message).toBe("graph node 1 (Log): dtype float32 differs from the graph's float64");
  });

  it('refuses a feed of another shape at run time', async () => {
    const e = await sasRejection(evaluateReference(build(), { x: tensor([1, 2, 3, 4], [4]) }));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe("feed 'x': expected shape [2,2], got [4]");
  });
});
