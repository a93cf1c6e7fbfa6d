import { describe, expect, it } from 'vitest';
import { GraphBuilder, reduceMax, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

// x = [[1,5,3],[4,2,6]]
const X: [number[], number[]] = [
  [1, 5, 3, 4, 2, 6],
  [2, 3],
];

describe('ReduceMax', () => {
  it('takes the maximum over rows and over columns', async () => {
    const rows = await run({ x: X }, ({ x }) => reduceMax(x, [1]));
    expect(rows.shape).toEqual([2]);
    expect(Array.from(rows.data)).toEqual([5, 6]);
    const cols = await run({ x: X }, ({ x }) => reduceMax(x, [0]));
    expect(cols.shape).toEqual([3]);
    expect(Array.from(cols.data)).toEqual([4, 5, 6]);
  });

  it('counts negative axes from the end and keeps dims on request', async () => {
    const y = await run({ x: X }, ({ x }) => reduceMax(x, [-1], true));
    expect(y.shape).toEqual([2, 1]);
    expect(Array.from(y.data)).toEqual([5, 6]);
  });

  it('reduces every axis to a rank-0 value', async () => {
    const y = await run({ x: X }, ({ x }) => reduceMax(x, [0, 1]));
    expect(y.shape).toEqual([]);
    expect(Array.from(y.data)).toEqual([6]);
  });

  it('reduces the middle axis of a rank-3 tensor', async () => {
    // c = [[[1,8],[3,4]],[[9,6],[7,2]]]: y[i][k] = max(c[i][0][k], c[i][1][k])
    const y = await run(
      {
        c: [
          [1, 8, 3, 4, 9, 6, 7, 2],
          [2, 2, 2],
        ],
      },
      ({ c }) => reduceMax(c, [-2]),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([3, 8, 9, 6]);
  });

  it('finds maxima of all-negative rows and −Inf of all −Inf rows', async () => {
    const y = await run(
      {
        x: [
          [-3, -1, -2, -Infinity, -Infinity, -Infinity],
          [2, 3],
        ],
      },
      ({ x }) => reduceMax(x, [1]),
    );
    expect(Array.from(y.data)).toEqual([-1, -Infinity]);
  });

  it('propagates NaN wherever it sits in the row', async () => {
    // rows: NaN first, NaN in the middle, NaN last, no NaN
    const x: [number[], number[]] = [
      [NaN, 1, 2, 1, NaN, 2, 1, 2, NaN, 1, 2, 0],
      [4, 3],
    ];
    const y = await run({ x }, (v) => reduceMax(v.x, [1]));
    expect(Array.from(y.data)).toEqual([NaN, NaN, NaN, 2]);
  });

  it('keeps +Inf as the maximum', async () => {
    const y = await run({ x: [[1, Infinity, 3], [3]] }, ({ x }) => reduceMax(x, [0]));
    expect(Array.from(y.data)).toEqual([Infinity]);
  });
});

describe('ReduceMax errors', () => {
  it('rejects an axis out of range, naming the op, the axis and the rank', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => reduceMax(x, [5]));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('ReduceMax: axis 5 is out of range for rank 2 (input [2,3])');
  });

  it('rejects a repeated axis', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => reduceMax(x, [-2, 0]));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('ReduceMax: axes [-2,0] repeat an axis');
  });

  it('rejects out-of-range axes written straight into a node', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => b.apply('ReduceMax', [x], { axes: [2], keepDims: false }));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('ReduceMax: axis 2 is out of range for rank 2 (input [2,3])');
  });
});
