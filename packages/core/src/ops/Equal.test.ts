import { describe, expect, it } from 'vitest';
import { GraphBuilder, equal, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

describe('Equal', () => {
  it('gives 1 where the elements are equal, else 0', async () => {
    const y = await run(
      {
        a: [
          [1, 2, 3, 4],
          [2, 2],
        ],
        b: [
          [1, 0, 3, 5],
          [2, 2],
        ],
      },
      ({ a, b }) => equal(a, b),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([1, 0, 1, 0]);
  });

  it('compares with IEEE equality: NaN ≠ NaN, 0 = −0, Inf = Inf', async () => {
    const y = await run({ a: [[NaN, 0, Infinity, -Infinity], [4]], b: [[NaN, -0, Infinity, Infinity], [4]] }, ({ a, b }) => equal(a, b));
    expect(Array.from(y.data)).toEqual([0, 1, 1, 0]);
  });

  it('broadcasts a lifted number', async () => {
    // [[1,2],[3,2]] == 2
    const y = await run(
      {
        x: [
          [1, 2, 3, 2],
          [2, 2],
        ],
      },
      ({ x }) => equal(x, 2),
    );
    expect(Array.from(y.data)).toEqual([0, 1, 0, 1]);
  });

  it('broadcasts size-1 axes on both sides ([2,1] vs [1,3])', async () => {
    // y[i][j] = ([1,2][i] == [1,2,3][j]): an identity-like pattern
    const y = await run(
      {
        a: [
          [1, 2],
          [2, 1],
        ],
        b: [
          [1, 2, 3],
          [1, 3],
        ],
      },
      ({ a, b }) => equal(a, b),
    );
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('broadcasts the max of each row back against the rows (the ReduceMax VJP pattern)', async () => {
    // rows [3,1,3] and [0,5,2] against their maxima [[3],[5]]
    const y = await run(
      {
        x: [
          [3, 1, 3, 0, 5, 2],
          [2, 3],
        ],
        m: [
          [3, 5],
          [2, 1],
        ],
      },
      ({ x, m }) => equal(x, m),
    );
    expect(Array.from(y.data)).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('rejects shapes that do not broadcast, naming the op and both shapes', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => equal(b.input('a', [2]), b.input('b', [3])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Equal: shapes do not broadcast: axis -1 is 2 vs 3 (inputs a [2], b [3])');
  });
});
