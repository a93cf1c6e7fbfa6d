import { describe, expect, it } from 'vitest';
import { GraphBuilder, mul, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** Builds `f(inputs)` on a float64 graph and evaluates it with the reference interpreter. */
async function run(inputs: Record<string, [number[], number[]]>, f: (x: Record<string, NodeRef>) => NodeRef): Promise<Tensor> {
  const b = new GraphBuilder('float64');
  const refs: Record<string, NodeRef> = {};
  const feeds: Record<string, Tensor> = {};
  for (const [name, [values, shape]] of Object.entries(inputs)) {
    refs[name] = b.input(name, shape);
    feeds[name] = tensor(values, shape);
  }
  b.output('y', f(refs));
  return (await evaluateReference(b.build(), feeds, { nonFinite: 'allow' })).y;
}

describe('Mul', () => {
  it('multiplies same-shaped tensors', async () => {
    // [[1,2],[3,4]] ⊙ [[5,6],[7,8]] = [[5,12],[21,32]]
    const y = await run(
      {
        a: [
          [1, 2, 3, 4],
          [2, 2],
        ],
        b: [
          [5, 6, 7, 8],
          [2, 2],
        ],
      },
      ({ a, b }) => mul(a, b),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([5, 12, 21, 32]);
  });

  it('lifts a number on either side to a scalar constant', async () => {
    const right = await run(
      {
        x: [
          [1, 2, 3, 4],
          [2, 2],
        ],
      },
      ({ x }) => mul(x, 0.5),
    );
    expect(Array.from(right.data)).toEqual([0.5, 1, 1.5, 2]);
    const left = await run(
      {
        x: [
          [1, 2, 3, 4],
          [2, 2],
        ],
      },
      ({ x }) => mul(-2, x),
    );
    expect(Array.from(left.data)).toEqual([-2, -4, -6, -8]);
  });

  it('broadcasts along trailing axes ([2,3] ⊙ [3])', async () => {
    // [[1,2,3],[4,5,6]] ⊙ [1,10,100]
    const y = await run(
      {
        a: [
          [1, 2, 3, 4, 5, 6],
          [2, 3],
        ],
        b: [[1, 10, 100], [3]],
      },
      ({ a, b }) => mul(a, b),
    );
    expect(Array.from(y.data)).toEqual([1, 20, 300, 4, 50, 600]);
  });

  it('broadcasts size-1 axes on both sides as an outer product ([3,1] ⊙ [1,2])', async () => {
    // y[i][j] = [1,2,3][i] · [10,100][j]
    const y = await run(
      {
        a: [
          [1, 2, 3],
          [3, 1],
        ],
        b: [
          [10, 100],
          [1, 2],
        ],
      },
      ({ a, b }) => mul(a, b),
    );
    expect(y.shape).toEqual([3, 2]);
    expect(Array.from(y.data)).toEqual([10, 100, 20, 200, 30, 300]);
  });

  it('broadcasts leading axes ([2,1,2] ⊙ [2,2])', async () => {
    // y[i][j][k] = a[i][0][k] · b[j][k]; a = [[[1,2]],[[3,4]]], b = [[1,0],[0,1]]
    const y = await run(
      {
        a: [
          [1, 2, 3, 4],
          [2, 1, 2],
        ],
        b: [
          [1, 0, 0, 1],
          [2, 2],
        ],
      },
      ({ a, b }) => mul(a, b),
    );
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(y.data)).toEqual([1, 0, 0, 2, 3, 0, 0, 4]);
  });

  it('follows IEEE (0 · Inf is NaN, sign of zero kept)', async () => {
    const y = await run({ a: [[0, -1, Infinity], [3]], b: [[Infinity, 0, -2], [3]] }, ({ a, b }) => mul(a, b));
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(Object.is(y.data[1], -0)).toBe(true);
    expect(y.data[2]).toBe(-Infinity);
  });

  it('rejects shapes that do not broadcast, naming the op and both shapes', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => mul(b.input('a', [2, 2]), b.input('b', [3])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Mul: shapes do not broadcast: axis -1 is 2 vs 3 (inputs a [2,2], b [3])');
  });
});
