import { describe, expect, it } from 'vitest';
import { GraphBuilder, sub, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

describe('Sub', () => {
  it('subtracts same-shaped tensors', async () => {
    // [[1,2],[3,4]] − [[4,3],[2,1]]
    const y = await run(
      {
        a: [
          [1, 2, 3, 4],
          [2, 2],
        ],
        b: [
          [4, 3, 2, 1],
          [2, 2],
        ],
      },
      ({ a, b }) => sub(a, b),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([-3, -1, 1, 3]);
  });

  it('keeps operand order when a number is lifted on either side', async () => {
    const right = await run(
      {
        x: [
          [1, 2, 3, 4],
          [2, 2],
        ],
      },
      ({ x }) => sub(x, 1),
    );
    expect(Array.from(right.data)).toEqual([0, 1, 2, 3]);
    const left = await run(
      {
        x: [
          [1, 2, 3, 4],
          [2, 2],
        ],
      },
      ({ x }) => sub(10, x),
    );
    expect(Array.from(left.data)).toEqual([9, 8, 7, 6]);
  });

  it('broadcasts a rank-0 input on the right', async () => {
    const y = await run({ x: [[5, 6, 7], [3]], s: [[5], []] }, ({ x, s }) => sub(x, s));
    expect(y.shape).toEqual([3]);
    expect(Array.from(y.data)).toEqual([0, 1, 2]);
  });

  it('broadcasts along trailing axes ([2,3] − [3])', async () => {
    // [[10,20,30],[40,50,60]] − [1,2,3]
    const y = await run(
      {
        a: [
          [10, 20, 30, 40, 50, 60],
          [2, 3],
        ],
        b: [[1, 2, 3], [3]],
      },
      ({ a, b }) => sub(a, b),
    );
    expect(Array.from(y.data)).toEqual([9, 18, 27, 39, 48, 57]);
  });

  it('broadcasts size-1 axes on both sides ([2,1] − [1,3])', async () => {
    // y[i][j] = [1,2][i] − [10,20,30][j]
    const y = await run(
      {
        a: [
          [1, 2],
          [2, 1],
        ],
        b: [
          [10, 20, 30],
          [1, 3],
        ],
      },
      ({ a, b }) => sub(a, b),
    );
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([-9, -19, -29, -8, -18, -28]);
  });

  it('broadcasts a missing leading axis on the left ([3] − [2,3])', async () => {
    // y[i][j] = [1,2,3][j] − b[i][j]
    const y = await run(
      {
        a: [[1, 2, 3], [3]],
        b: [
          [1, 1, 1, 3, 2, 1],
          [2, 3],
        ],
      },
      ({ a, b }) => sub(a, b),
    );
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([0, 1, 2, -2, 0, 2]);
  });

  it('follows IEEE for infinities (Inf − Inf is NaN)', async () => {
    const y = await run({ a: [[Infinity, 1], [2]], b: [[Infinity, Infinity], [2]] }, ({ a, b }) => sub(a, b));
    expect(Array.from(y.data)).toEqual([NaN, -Infinity]);
  });

  it('rejects shapes that do not broadcast, naming the op and both shapes', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => sub(b.input('a', [3, 2]), b.input('b', [2, 3])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Sub: shapes do not broadcast: axis -2 is 3 vs 2 (inputs a [3,2], b [2,3])');
  });
});
