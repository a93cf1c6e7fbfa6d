import { describe, expect, it } from 'vitest';
import { GraphBuilder, transpose, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

// c[i][j][k] = 6i + 3j + k, shape [2,2,3]: [[[0,1,2],[3,4,5]],[[6,7,8],[9,10,11]]]
const C: [number[], number[]] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  [2, 2, 3],
];

describe('Transpose', () => {
  it('transposes a matrix with perm [1,0]', async () => {
    // [[1,2,3],[4,5,6]] → [[1,4],[2,5],[3,6]]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6],
          [2, 3],
        ],
      },
      ({ x }) => transpose(x, [1, 0]),
    );
    expect(y.shape).toEqual([3, 2]);
    expect(Array.from(y.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('cycles the axes of a rank-3 tensor with perm [2,0,1]', async () => {
    // y[a][b][c] = x[b][c][a] = 6b + 3c + a, shape [3,2,2]
    const y = await run({ c: C }, ({ c }) => transpose(c, [2, 0, 1]));
    expect(y.shape).toEqual([3, 2, 2]);
    expect(Array.from(y.data)).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });

  it('swaps the two leading axes with perm [1,0,2]', async () => {
    // y[a][b][c] = x[b][a][c]: rows of x taken in the order (0,0), (1,0), (0,1), (1,1)
    const y = await run({ c: C }, ({ c }) => transpose(c, [1, 0, 2]));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.data)).toEqual([0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11]);
  });

  it('transposes the last two axes with perm [0,2,1]', async () => {
    // y[a][b][c] = x[a][c][b] = 6a + 3c + b, shape [2,3,2]
    const y = await run({ c: C }, ({ c }) => transpose(c, [0, 2, 1]));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.data)).toEqual([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
  });

  it('is the identity with perm [0,1,2]', async () => {
    const y = await run({ c: C }, ({ c }) => transpose(c, [0, 1, 2]));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.data)).toEqual(C[0]);
  });

  it('undoes itself with the inverse permutation', async () => {
    // [2,0,1] then its inverse [1,2,0]
    const y = await run({ c: C }, ({ c }) => transpose(transpose(c, [2, 0, 1]), [1, 2, 0]));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.data)).toEqual(C[0]);
  });
});

describe('Transpose errors', () => {
  it('rejects a perm that is not a permutation', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => transpose(x, [0, 0]));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('Transpose: perm [0,0] is not a permutation of 0..1');
    const e2 = sasError(() => transpose(x, [0, 2]));
    expect(e2.code).toBe('E_ATTR');
    expect(e2.message).toBe('Transpose: perm [0,2] is not a permutation of 0..1');
    expect(sasError(() => transpose(x, [-1, 0])).code).toBe('E_ATTR');
  });

  it('rejects a perm whose length is not the rank, naming the input shape', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => transpose(b.input('x', [2, 2, 3]), [1, 0]));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Transpose: perm has 2 axes but the input has rank 3 (inputs a [2,2,3])');
  });

  it('rejects a perm that is not an array', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => b.applyByName('Transpose', [b.input('x', [2, 3])], { perm: 1 }));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('Transpose: perm must be an array');
  });
});
