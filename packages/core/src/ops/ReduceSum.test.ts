import { describe, expect, it } from 'vitest';
import { GraphBuilder, reduceSum, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

// x = [[1,2,3],[4,5,6]]
const X: [number[], number[]] = [
  [1, 2, 3, 4, 5, 6],
  [2, 3],
];
// c[i][j][k] = 4i + 2j + k + 1 = [[[1,2],[3,4]],[[5,6],[7,8]]]
const C: [number[], number[]] = [
  [1, 2, 3, 4, 5, 6, 7, 8],
  [2, 2, 2],
];

describe('ReduceSum', () => {
  it('sums over axis 0 (columns) and axis 1 (rows)', async () => {
    const cols = await run({ x: X }, ({ x }) => reduceSum(x, [0]));
    expect(cols.shape).toEqual([3]);
    expect(Array.from(cols.data)).toEqual([5, 7, 9]); // 1+4, 2+5, 3+6
    const rows = await run({ x: X }, ({ x }) => reduceSum(x, [1]));
    expect(rows.shape).toEqual([2]);
    expect(Array.from(rows.data)).toEqual([6, 15]); // 1+2+3, 4+5+6
  });

  it('counts negative axes from the end', async () => {
    const y = await run({ x: X }, ({ x }) => reduceSum(x, [-1]));
    expect(y.shape).toEqual([2]);
    expect(Array.from(y.data)).toEqual([6, 15]);
  });

  it('keeps reduced axes as size 1 with keepDims', async () => {
    const rows = await run({ x: X }, ({ x }) => reduceSum(x, [-1], true));
    expect(rows.shape).toEqual([2, 1]);
    expect(Array.from(rows.data)).toEqual([6, 15]);
    const all = await run({ x: X }, ({ x }) => reduceSum(x, [0, 1], true));
    expect(all.shape).toEqual([1, 1]);
    expect(Array.from(all.data)).toEqual([21]);
  });

  it('reduces every axis to a rank-0 value', async () => {
    const y = await run({ x: X }, ({ x }) => reduceSum(x, [0, 1]));
    expect(y.shape).toEqual([]);
    expect(Array.from(y.data)).toEqual([21]);
  });

  it('reduces the middle axis of a rank-3 tensor', async () => {
    // y[i][k] = c[i][0][k] + c[i][1][k]: [[1+3, 2+4], [5+7, 6+8]]
    const y = await run({ c: C }, ({ c }) => reduceSum(c, [1]));
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([4, 6, 12, 14]);
  });

  it('reduces two non-adjacent axes, given in any order and sign', async () => {
    // y[j] = Σ_i Σ_k c[i][j][k]: j=0 → 1+2+5+6 = 14, j=1 → 3+4+7+8 = 22
    const y = await run({ c: C }, ({ c }) => reduceSum(c, [2, -3]));
    expect(y.shape).toEqual([2]);
    expect(Array.from(y.data)).toEqual([14, 22]);
    const kept = await run({ c: C }, ({ c }) => reduceSum(c, [0, 2], true));
    expect(kept.shape).toEqual([1, 2, 1]);
    expect(Array.from(kept.data)).toEqual([14, 22]);
  });

  it('is the identity over no axes', async () => {
    const y = await run({ x: X }, ({ x }) => reduceSum(x, []));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('sums over a size-1 axis without changing values', async () => {
    const y = await run(
      {
        x: [
          [1, 2, 3],
          [3, 1],
        ],
      },
      ({ x }) => reduceSum(x, [1]),
    );
    expect(y.shape).toEqual([3]);
    expect(Array.from(y.data)).toEqual([1, 2, 3]);
  });

  it('accepts unnormalised axes written straight into a node (as from JSON)', async () => {
    const y = await run({ x: X }, ({ x }) => x.builder.apply('ReduceSum', [x], { axes: [-1], keepDims: true }));
    expect(y.shape).toEqual([2, 1]);
    expect(Array.from(y.data)).toEqual([6, 15]);
  });
});

describe('ReduceSum errors', () => {
  it('rejects an axis out of range, naming the op, the axis and the rank', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => reduceSum(x, [2]));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('ReduceSum: axis 2 is out of range for rank 2 (input [2,3])');
    const e2 = sasError(() => reduceSum(x, [-3]));
    expect(e2.code).toBe('E_ATTR');
    expect(e2.message).toBe('ReduceSum: axis -3 is out of range for rank 2 (input [2,3])');
  });

  it('rejects a repeated axis, also when spelt once negative and once positive', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => reduceSum(x, [0, 0]));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('ReduceSum: axes [0,0] repeat an axis');
    const e2 = sasError(() => reduceSum(x, [1, -1]));
    expect(e2.code).toBe('E_ATTR');
    expect(e2.message).toBe('ReduceSum: axes [1,-1] repeat an axis');
  });

  it('rejects a fractional axis or axes that are not an array', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    expect(sasError(() => reduceSum(x, [0.5])).code).toBe('E_ATTR');
    const e = sasError(() => b.applyByName('ReduceSum', [x], { axes: 0, keepDims: false }));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('ReduceSum: axes must be an array of integer axes, got 0');
  });
});
